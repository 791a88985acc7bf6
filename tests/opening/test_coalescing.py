"""Validation on demand, once: sends queue one sweep while one is waiting, and a send made
while a sweep runs queues exactly one more (its lines may have come after the sweep read
the pending ones). The database stays the source of truth."""

from __future__ import annotations

from jobs import validator
from models import Booking
from workflows import bookings, decisions

from .. import factories as f
from ..conftest import run_worker
from ..jobs.workers import queued, state_counts


def _send(h, town, day):
    return bookings.submit(
        f.parent_actor(h),
        [bookings.RequestSpec(h.children[0].id, [(f.unit(town).id, day, "book")])],
    )


def test_many_sends_queue_one_sweep(app, queue):
    town = f.town()
    days = f.open_days(n=5)
    for i, day in enumerate(days):
        _send(f.household(town, name=f"Famille{i}"), town, day)
    assert len(queued(queue)) == 1
    run_worker()
    assert state_counts(Booking) == {"booked": 5}


def test_two_sends_during_a_running_sweep_queue_exactly_one_more(app, queue, monkeypatch):
    town = f.town()
    first, second, third = f.open_days(n=3)
    _send(f.household(town, name="Avant"), town, first)
    (job,) = queued(queue)
    queue.remove(job.id)
    real_sweep = decisions.sweep

    def sweep_while_parents_send(*args, **kwargs):
        # The sweep has started (its flag is cleared): two parents send now.
        _send(f.household(town, name="Pendant1"), town, second)
        _send(f.household(town, name="Pendant2"), town, third)
        return real_sweep(*args, **kwargs)

    monkeypatch.setattr(validator, "sweep", sweep_while_parents_send)
    job.perform()  # the sweep, in this process, as a worker runs it
    monkeypatch.undo()
    assert len(queued(queue)) == 1  # exactly one more
    run_worker()
    assert state_counts(Booking) == {"booked": 3}


def test_a_sweep_lost_after_it_started_does_not_block_the_next_send(app, queue):
    town = f.town()
    first, second = f.open_days(n=2)
    _send(f.household(town, name="A"), town, first)
    (job,) = queued(queue)
    queue.remove(job.id)
    from jobs.queue import started

    started(app.config, "validate")  # the job started, then its worker died
    _send(f.household(town, name="B"), town, second)
    assert len(queued(queue)) == 1
    run_worker()
    assert state_counts(Booking) == {"booked": 2}
