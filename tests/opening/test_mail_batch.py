"""Mail in bulk: the e-mails of many decided requests are written to the outbox with the
decisions' announcement and sent by one job, each once, by a real worker."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from jobs.mail import deliver_outgoing
from models.outbox import OutgoingMail
from workflows import bookings

from .. import factories as f
from ..conftest import run_worker
from ..jobs.workers import queued


def _sent(app):
    folder = Path(app.config["INSTANCE_PATH"]) / "outbox"
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def test_each_decided_request_is_mailed_once_by_one_delivery(app, queue):
    for p in (Path(app.config["INSTANCE_PATH"]) / "outbox").glob("*.eml"):
        p.unlink()
    town = f.town()
    day = f.open_days(n=1)[0]
    households = [f.household(town, name=f"Famille{i}") for i in range(12)]
    for h in households:
        bookings.submit(
            f.parent_actor(h),
            [bookings.RequestSpec(h.children[0].id, [(f.unit(town).id, day, "book")])],
        )
    run_worker()  # the sweep, then one announcement, then one delivery
    mails = _sent(app)
    assert sorted(m["To"] for m in mails) == sorted(h._email for h in households)
    assert all(m["Subject"].endswith("traitée : acceptée") for m in mails)
    assert OutgoingMail.select().where(OutgoingMail.sent_at.is_null()).count() == 0
    # a second delivery, or a second worker, sends nothing again
    assert deliver_outgoing() == 0
    queue.enqueue("jobs.notifications.notify_decided_requests")
    run_worker()
    assert len(_sent(app)) == 12


def test_the_sweep_asks_for_one_announcement_and_one_delivery(app, queue):
    town = f.town()
    day = f.open_days(n=1)[0]
    for i in range(3):
        h = f.household(town, name=f"Famille{i}")
        bookings.submit(
            f.parent_actor(h),
            [bookings.RequestSpec(h.children[0].id, [(f.unit(town).id, day, "book")])],
        )
    (sweep,) = queued(queue)
    queue.remove(sweep.id)
    sweep.perform()
    assert len(queued(queue, "jobs.notifications.notify_decided_requests")) == 1
    (announce,) = queued(queue, "jobs.notifications.notify_decided_requests")
    queue.remove(announce.id)
    assert announce.perform() == 3
    assert len(queued(queue, "jobs.mail.deliver_outgoing")) == 1


def test_a_failed_smtp_delivery_is_kept_and_tried_again(app, monkeypatch):
    from workflows import outbox

    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", "9")  # nothing listens there
    outbox.write("a@exemple.fr", "Sujet", "password_reset", link="https://x/y", hours=1)
    assert deliver_outgoing() == 0
    (row,) = OutgoingMail.select()
    assert row.sent_at is None and row.attempts == 1 and "Connection refused" in row.last_error
    assert outbox.waiting() == 0  # not before its next try
    monkeypatch.delenv("SMTP_HOST")
    OutgoingMail.update(claimed_until=OutgoingMail.created_at).execute()  # its time has come
    assert deliver_outgoing() == 1
    assert OutgoingMail.get_by_id(row.id).sent_at is not None
