"""Expiry and publication dates, with a fixed clock: the timer's job (run by a real rq
worker) takes expired items back to private through the workflow; an item whose
publication date is ahead is not shown before it."""

from __future__ import annotations

import datetime as dt

from jobs.content import expire_content
from models import WorkflowHistory
from models.content import ContentItem
from workflows import content, content_public, publication

from ..conftest import run_worker

CLOCK = dt.datetime(2031, 3, 2, 8, 0)  # naive UTC, far enough ahead to be visible today


def _expiries(item) -> list[WorkflowHistory]:
    return list(
        WorkflowHistory.select().where(
            WorkflowHistory.workflow == "content",
            WorkflowHistory.object_id == item.id,
            WorkflowHistory.transition == "expire",
        )
    )


def test_a_real_worker_expires_what_is_due_at_its_clock(app, site, queue):
    due = site.item("Inscriptions de mars", expires_at=CLOCK)
    later = site.item("Inscriptions d'avril", expires_at=CLOCK + dt.timedelta(days=30))
    forever = site.item("Règlement", kind="page")
    pending = site.item("En relecture", state="pending", expires_at=CLOCK - dt.timedelta(days=1))

    queue.enqueue(expire_content, (CLOCK - dt.timedelta(minutes=1)).isoformat())
    run_worker()
    assert ContentItem.get_by_id(due.id).state == "published"

    queue.enqueue(expire_content, (CLOCK + dt.timedelta(minutes=1)).isoformat())
    run_worker()
    assert ContentItem.get_by_id(due.id).state == "private"
    assert [ContentItem.get_by_id(i.id).state for i in (later, forever, pending)] == [
        "published",
        "published",
        "pending",
    ]
    (row,) = _expiries(due)
    assert (row.from_state, row.to_state, row.role, row.actor_id) == (
        "published",
        "private",
        "system",
        None,
    )
    assert row.at == CLOCK + dt.timedelta(minutes=1)

    queue.enqueue(expire_content, (CLOCK + dt.timedelta(minutes=2)).isoformat())
    run_worker()  # a second run moves nothing more
    assert len(_expiries(due)) == 1


def test_the_timer_runs_the_expiry():
    from jobs.schedule import build_scheduler

    assert "expire_content" in [job.func.__name__ for job in build_scheduler().get_jobs()]


def test_an_expired_item_is_hidden_before_the_job_has_run(site, client):
    item = site.item("Périmé", state="expired")
    assert ContentItem.get_by_id(item.id).state == "published"  # the timer has not run
    assert client.get(site.address(item)).status_code == 404
    assert publication.expire_due() == 1
    assert ContentItem.get_by_id(item.id).state == "private"


def test_an_item_is_shown_from_its_publication_date_on(site, client):
    effective = CLOCK + dt.timedelta(days=3)
    item = site.item("Fête du printemps", effective_at=effective)
    assert ContentItem.get_by_id(item.id).state == "published"
    assert client.get(site.address(item)).status_code == 404  # today, before the date
    before, _ = content_public.news_page(now=effective - dt.timedelta(seconds=1))
    after, _ = content_public.news_page(now=effective)
    assert [e.item.title for e in before] == []
    assert [e.item.title for e in after] == ["Fête du printemps"]
    assert content_public.search("printemps", now=effective)[0].item.id == item.id
    assert content_public.search("printemps") == []


def test_an_expiry_before_the_publication_date_is_refused(site):
    data = content.ItemInput(
        "news",
        site.news_folder.id,
        "À l'envers",
        effective_at=CLOCK,
        expires_at=CLOCK - dt.timedelta(hours=1),
    )
    try:
        content.create_item(site.editor, site.town.id, data, site.files())
    except content.ContentError as exc:
        assert exc.field == "expires_at"
    else:
        raise AssertionError("an expiry before the publication date was accepted")
