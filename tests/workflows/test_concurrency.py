"""Races: fifty identical requests at once, and two workers sharing a unit's last places."""

from __future__ import annotations

import threading

from jobs.validator import validate_pending
from models import Booking, Request, RequestLine, Unit, WorkflowHistory, database
from workflows import bookings, decisions

from .. import factories as f
from ..conftest import run_worker
from ..jobs.workers import decisions_per_booking, queued, start_worker, state_counts

ALREADY = "Ce jour est déjà réservé ou une demande est déjà en cours."
FULL = "Plus de place disponible ce jour-là."


def test_fifty_identical_requests_at_once_make_one_booking(app):
    town = f.town()
    h = f.household(town)
    child, repas, day = h.children[0], f.unit(town), f.open_days(n=1)[0]
    actor = f.parent_actor(h)
    n = 50
    start = threading.Barrier(n)
    outcomes: list[tuple] = [("not run",)] * n

    def send(i: int) -> None:
        database.connect(reuse_if_open=True)  # each thread its own connection
        try:
            start.wait(timeout=60)
            (number,) = bookings.submit(
                actor, [bookings.RequestSpec(child.id, [(repas.id, day, "book")])]
            )
            outcomes[i] = ("sent", number)
        except bookings.RequestRefused as e:  # it came after the first one's commit
            outcomes[i] = ("refused before sending", tuple(p.code for p in e.problems))
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            outcomes[i] = ("error", repr(e))
        finally:
            database.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    assert not [o for o in outcomes if o[0] not in ("sent", "refused before sending")]
    refused_early = [o for o in outcomes if o[0] == "refused before sending"]
    assert set(refused_early) <= {("refused before sending", ("already_booked",))}
    sent = [o[1] for o in outcomes if o[0] == "sent"]
    assert len(sent) + len(refused_early) == n

    # one booking row for the cell, requested, owned by the single pending line
    (booking,) = Booking.select()
    assert (booking.child_id, booking.unit_id, booking.date) == (child.id, repas.id, day)
    assert booking.state == "requested"
    (pending,) = RequestLine.select().where(RequestLine.state == "pending")
    assert booking.line_id == pending.id
    # every other request that got through was refused as a duplicate, in French
    others = RequestLine.select().where(RequestLine.id != pending.id)
    assert others.count() == len(sent) - 1
    assert {(line.state, line.reason_code, line.reason) for line in others} <= {
        ("refused", "already_booked", ALREADY)
    }
    assert len(refused_early) + others.count() == n - 1
    assert state_counts(Request) == {"sent": 1, **({"done": len(sent) - 1} if others else {})}
    assert WorkflowHistory.select().where(WorkflowHistory.workflow == "booking").count() == 1

    assert decisions.sweep() == 1
    assert Booking.get().state == "booked"
    assert RequestLine.get_by_id(pending.id).state == "accepted"
    assert state_counts(Request) == {"done": len(sent)}


def _ten_children_ask_for_three_places(town, waiting_list: bool):
    repas = f.unit(town)
    Unit.update(capacity=3, waiting_list=waiting_list).where(Unit.id == repas.id).execute()
    day = f.open_days(n=1)[0]
    children = []
    for i in range(5):
        h = f.household(town, name=f"Famille{i}", children=("Léa", "Hugo"))
        for child in h.children:
            bookings.submit(
                f.parent_actor(h), [bookings.RequestSpec(child.id, [(repas.id, day, "book")])]
            )
            children.append((h, child))
    return repas, day, children


def _two_workers(queue, monkeypatch):
    monkeypatch.setenv("VALIDATOR_BATCH", "2")  # five batches to share between them
    # the sends asked for one sweep; a second one runs beside it
    jobs = [*queued(queue), queue.enqueue(validate_pending, job_timeout=600)]
    assert len(jobs) == 2
    workers = [start_worker(), start_worker()]
    for w in workers:
        assert w.wait(timeout=300) == 0
    for job in jobs:
        assert job.get_status(refresh=True) == "finished"
    return sum(job.return_value(refresh=True) for job in jobs)


def test_capacity_is_never_exceeded_by_two_workers(queue, monkeypatch):
    town = f.town()
    repas, day, _ = _ten_children_ask_for_three_places(town, waiting_list=False)

    assert _two_workers(queue, monkeypatch) == 10

    assert state_counts(Booking) == {"booked": 3, "free": 7}
    assert state_counts(RequestLine) == {"accepted": 3, "refused": 7}
    refused = RequestLine.select().where(RequestLine.state == "refused")
    assert {(line.reason_code, line.reason) for line in refused} == {("full", FULL)}
    assert {
        (b.refusal_code, b.refusal_reason) for b in Booking.select().where(Booking.state == "free")
    } == {("full", FULL)}
    # each booking decided exactly once
    accepts, refusals = decisions_per_booking("accept"), decisions_per_booking("refuse")
    assert len(accepts) == 3 and len(refusals) == 7
    assert set(accepts.values()) == set(refusals.values()) == {1}
    assert not set(accepts) & set(refusals)


def test_waiting_list_ranks_and_first_waiting_admitted_on_cancellation(queue, monkeypatch):
    town = f.town()
    repas, day, children = _ten_children_ask_for_three_places(town, waiting_list=True)

    assert _two_workers(queue, monkeypatch) == 10

    assert state_counts(Booking) == {"booked": 3, "waiting": 7}
    assert state_counts(RequestLine) == {"accepted": 3, "queued": 7}
    waiting = list(Booking.select().where(Booking.state == "waiting").order_by(Booking.rank))
    assert [b.rank for b in waiting] == [1, 2, 3, 4, 5, 6, 7]
    assert {b.rank for b in Booking.select().where(Booking.state == "booked")} == {None}
    # each child's request says where it stands: accepted, or on the waiting list
    summaries = sorted(r.summary for r in Request.select())
    assert summaries == ["accepted"] * 3 + ["waiting"] * 7

    # a parent cancels a booked day; once the cancellation is confirmed, rank 1 comes in
    booked = Booking.select().where(Booking.state == "booked").first()
    h, child = next((h, c) for h, c in children if c.id == booked.child_id)
    bookings.submit(
        f.parent_actor(h), [bookings.RequestSpec(child.id, [(repas.id, day, "cancel")])]
    )
    assert Booking.get_by_id(booked.id).state == "cancel_requested"
    (job,) = queued(queue)
    run_worker()
    assert job.return_value(refresh=True) == 1

    assert Booking.get_by_id(booked.id).state == "free"
    first = Booking.get_by_id(waiting[0].id)
    assert (first.state, first.rank) == ("booked", None)
    assert RequestLine.get_by_id(first.line_id).state == "accepted"
    assert state_counts(Booking) == {"booked": 3, "waiting": 6, "free": 1}
    still = Booking.select().where(Booking.state == "waiting").order_by(Booking.rank)
    # the others moved up the line: ranks 1 to 6, in the same order
    assert [(b.id, b.rank) for b in still] == [(b.id, i) for i, b in enumerate(waiting[1:], 1)]
    (admit,) = WorkflowHistory.select().where(WorkflowHistory.transition == "admit")
    assert (admit.object_id, admit.role) == (first.id, "system")
