"""The validator job, run by real rq workers in their own processes: it decides pending
lines, refuses late ones, is idempotent, never decides a line twice when two workers share
the work, and recovers from a worker killed in the middle of a batch."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from jobs.validator import validate_pending
from models import Booking, Request, RequestLine, WorkflowHistory, database, is_postgres
from workflows import bookings
from workflows.calendar import Deadline, format_deadline_fr, to_utc_naive

from .. import factories as f
from ..conftest import run_worker
from .workers import (
    assert_each_line_decided_once,
    kill_worker,
    pending_lines,
    queued,
    start_worker,
    state_counts,
)


def _finished(job) -> int:
    """The job ran to its end in the worker; its return value (lines decided)."""
    assert job.get_status(refresh=True) == "finished", job.latest_result()
    return job.return_value(refresh=True)


def _send(h, town, days, now=None):
    child = h.children[0]
    return bookings.submit(
        f.parent_actor(h),
        [bookings.RequestSpec(child.id, [(f.unit(town).id, d, "book") for d in days])],
        now=now,
    )


def test_worker_turns_pending_lines_into_bookings(queue):
    town = f.town()
    h = f.household(town)
    days = f.open_days(n=5)
    (number,) = _send(h, town, days)
    assert state_counts(Booking) == {"requested": 5}
    assert state_counts(RequestLine) == {"pending": 5}

    (job,) = queued(queue)  # the send asked for one sweep once it committed
    run_worker()

    assert _finished(job) == 5
    assert state_counts(Booking) == {"booked": 5}
    assert state_counts(RequestLine) == {"accepted": 5}
    req = Request.get_by_id(number)
    assert (req.state, req.summary) == ("done", "accepted")
    accepts = list(WorkflowHistory.select().where(WorkflowHistory.transition == "accept"))
    assert len(accepts) == 5
    assert {(r.role, r.actor_id, r.from_state, r.to_state) for r in accepts} == {
        ("system", None, "requested", "booked")
    }
    assert {r.line_id for r in accepts} == {line.id for line in RequestLine.select()}


def test_worker_refuses_a_line_sent_after_its_deadline(queue):
    town = f.town()
    h = f.household(town)
    on_time, late = f.open_days(n=2)
    deadline = Deadline(3).for_day(late)
    _send(h, town, [on_time, late], now=Deadline(3).for_day(on_time) - dt.timedelta(hours=1))
    # the line for `late` reached the database a minute after its deadline
    RequestLine.update(sent_at=to_utc_naive(deadline + dt.timedelta(minutes=1))).where(
        RequestLine.date == late
    ).execute()

    (job,) = queued(queue)
    run_worker()

    assert _finished(job) == 2
    refused = RequestLine.get(RequestLine.date == late)
    text = f"Délai dépassé : il fallait réserver avant le {format_deadline_fr(deadline)}."
    assert (refused.state, refused.reason_code, refused.reason) == ("refused", "late", text)
    assert RequestLine.get(RequestLine.date == on_time).state == "accepted"
    assert {b.date: (b.state, b.refusal_code) for b in Booking.select()} == {
        on_time: ("booked", ""),
        late: ("free", "late"),
    }
    row = WorkflowHistory.get(WorkflowHistory.transition == "refuse")
    assert (row.role, row.comment, row.line_id) == ("system", text, refused.id)
    req = Request.get()
    assert (req.state, req.summary) == ("done", "partly_accepted")


def _snapshot():
    return (
        state_counts(Booking),
        state_counts(RequestLine),
        state_counts(Request),
        WorkflowHistory.select().count(),
        sorted(Booking.select(Booking.id, Booking.state, Booking.line).tuples()),
        sorted(
            RequestLine.select(RequestLine.id, RequestLine.state, RequestLine.decided_at).tuples()
        ),
    )


def test_running_the_validator_twice_changes_nothing_more(queue):
    town = f.town()
    days = f.open_days(n=6)
    _send(f.household(town), town, days)
    # one of them late, so both outcomes are there
    RequestLine.update(sent_at=to_utc_naive(Deadline(3).for_day(days[-1]))).where(
        RequestLine.date == days[-1]
    ).execute()
    (first,) = queued(queue)
    run_worker()
    assert _finished(first) == 6
    after_one = _snapshot()
    assert after_one[0] == {"booked": 5, "free": 1}

    second = queue.enqueue(validate_pending, job_timeout=600)
    third = queue.enqueue(validate_pending, job_timeout=600)
    run_worker()

    assert _finished(second) == _finished(third) == 0
    assert _snapshot() == after_one


def test_two_workers_on_the_same_batch_decide_each_line_once(queue, monkeypatch):
    town = f.town()
    n = pending_lines(town, 3000)
    assert n == 3000
    monkeypatch.setenv("VALIDATOR_BATCH", "200")
    # the sends asked for one sweep, whatever their number; a second one runs beside it
    jobs = [*queued(queue), queue.enqueue(validate_pending, job_timeout=600)]
    assert len(jobs) == 2
    workers = [start_worker(), start_worker()]
    for w in workers:
        assert w.wait(timeout=300) == 0

    # each line was taken by exactly one batch of one worker
    assert sum(_finished(job) for job in jobs) == n
    assert_each_line_decided_once(n)


def _wait_for_dead_backends() -> None:
    """PostgreSQL ends a killed client's session (and its locks) when it notices the
    closed socket; wait for that rather than race it."""
    if not is_postgres():
        return
    for _ in range(600):
        others = database.execute_sql(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
        if others == 0:
            return
        time.sleep(0.05)
    pytest.fail("the killed worker's database session never ended")


@pytest.mark.slow
def test_a_worker_killed_mid_batch_leaves_nothing_half_done(queue, monkeypatch):
    town = f.town()
    n = pending_lines(town, 20000)
    assert n == 20000
    monkeypatch.setenv("VALIDATOR_BATCH", "200")
    assert len(queued(queue)) == 1
    worker = start_worker(start_new_session=True)  # its own process group

    pending = RequestLine.select().where(RequestLine.state == "pending")
    for _ in range(6000):  # a safety limit, not a timing: at most ~5 minutes
        decided = n - pending.count()
        if decided >= 200 or worker.poll() is not None:
            break
        time.sleep(0.05)
    assert worker.poll() is None, "the worker ended before it could be killed"
    kill_worker(worker)  # by SIGKILL, in the middle of its sweep
    _wait_for_dead_backends()

    # some batches were committed, others not, and nothing in between
    lines, books = state_counts(RequestLine), state_counts(Booking)
    assert 0 < lines.get("accepted", 0) < n
    assert lines.get("pending", 0) > 0
    assert books.get("booked", 0) == lines.get("accepted", 0)
    assert books.get("requested", 0) == lines.get("pending", 0)
    assert (
        WorkflowHistory.select().where(WorkflowHistory.transition == "accept").count()
        == books["booked"]
    )

    # the next sweep finishes the work, deciding no line twice
    job = queue.enqueue(validate_pending, job_timeout=3600)
    run_worker()
    assert _finished(job) == lines["pending"]
    assert_each_line_decided_once(n)
