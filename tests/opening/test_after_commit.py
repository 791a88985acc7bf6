"""Jobs are queued once the transaction that asks for them has committed, never for one
that rolled back (models.transaction's after_commit, workflows.effects)."""

from __future__ import annotations

import pytest

from models import Request, after_commit, transaction
from workflows import bookings, effects

from .. import factories as f
from ..jobs.workers import queued


def test_a_callback_runs_once_after_the_commit_and_sees_what_was_written(app):
    town = f.town()
    seen = []
    with transaction():
        town.name = "Ville renommée"
        town.save()
        after_commit(lambda: seen.append(type(town).get_by_id(town.id).name))
        after_commit(lambda: seen.append("twice?"), key="k")
        after_commit(lambda: seen.append("twice?"), key="k")
        assert seen == []  # not before the commit
    assert seen == ["Ville renommée", "twice?"]


def test_nothing_runs_for_a_transaction_that_rolled_back(app):
    seen = []
    with pytest.raises(RuntimeError), transaction():
        after_commit(lambda: seen.append("outer"))
        raise RuntimeError("boom")
    assert seen == []


def test_a_savepoint_that_rolled_back_drops_its_own_callbacks_only(app):
    seen = []
    with transaction():
        after_commit(lambda: seen.append("kept"))
        with pytest.raises(ValueError), transaction():
            after_commit(lambda: seen.append("dropped"))
            raise ValueError
    assert seen == ["kept"]


def test_a_send_queues_one_sweep_once_committed(app, queue):
    town = f.town()
    h = f.household(town, children=("Léa", "Hugo"))
    unit = f.unit(town).id
    days = f.open_days(n=2)
    with transaction():
        for child in h.children:
            bookings.submit(
                f.parent_actor(h),
                [bookings.RequestSpec(child.id, [(unit, d, "book") for d in days])],
            )
        assert queued(queue) == []  # inside the transaction: nothing yet
    assert len(queued(queue)) == 1


def test_a_send_that_rolls_back_queues_nothing(app, queue):
    town = f.town()
    h = f.household(town)
    with pytest.raises(RuntimeError), transaction():
        bookings.submit(
            f.parent_actor(h),
            [
                bookings.RequestSpec(
                    h.children[0].id, [(f.unit(town).id, f.open_days(n=1)[0], "book")]
                )
            ],
        )
        raise RuntimeError("the client went away")
    assert Request.select().count() == 0
    assert queue.count == 0


def test_an_effect_nobody_handles_is_only_dropped(app):
    effects._handlers.pop("nobody", None)
    with transaction():
        effects.ask("nobody")  # a shell or a benchmark: the timer catches up
