"""Helpers for the tests that run real rq workers and many request lines."""

from __future__ import annotations

import os
import signal
import subprocess

from peewee import fn

from models import Booking, Request, RequestLine, Unit, WorkflowHistory
from workflows import bookings

from .. import factories as f
from ..conftest import ROOT, worker_command

# PAI is left out: it excludes REPAS on a day (a child has one meal or the other)
SCHOOL_UNITS = ("REPAS", "GARDERIE MATIN", "GARDERIE 16H30-18H30")


SWEEP = "jobs.validator.validate_pending"


def start_worker(**popen) -> subprocess.Popen:
    """`rq worker --burst` in its own process, the command of conftest.run_worker, not waited
    for. Its output goes to /dev/null unless `stdout`/`stderr` say otherwise."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(worker_command(), cwd=ROOT, env=os.environ.copy(), **popen)


def queued(queue, func_name: str = SWEEP) -> list:
    """The jobs of `func_name` waiting in the queue (what the operations asked for)."""
    return [job for job in queue.jobs if job.func_name == func_name]


def kill_worker(worker: subprocess.Popen) -> None:
    """SIGKILL a worker started with start_new_session=True (the SimpleWorker runs its job in
    its own process: the job dies with it), and anything it started."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=60)


def pending_lines(town, n_lines: int, codes=SCHOOL_UNITS, max_days: int = 80) -> int:
    """Send booking requests until about `n_lines` lines are pending: households of two
    children, each child booking every unit of `codes` on open school days. Each child's
    lines are one request, sent through bookings.submit. Returns the number of lines."""
    units = [f.unit(town, code).id for code in codes]
    Unit.update(capacity=None).where(Unit.id.in_(units)).execute()
    days = [d for d in f.open_days(n=max_days) if d <= town._demo["end"]]
    per_child = len(units) * len(days)
    children = -(-n_lines // per_child)
    sent = 0
    for i in range(0, children, 2):
        names = ("Léa", "Hugo")[: min(2, children - i)]
        h = f.household(town, name=f"Famille{i}", children=names)
        actor = f.parent_actor(h)
        for child in h.children:
            want = min(per_child, n_lines - sent)
            lines = [(u, d, "book") for d in days for u in units][:want]
            bookings.submit(actor, [bookings.RequestSpec(child.id, lines)])
            sent += len(lines)
    return sent


def state_counts(model) -> dict[str, int]:
    return dict(model.select(model.state, fn.COUNT(model.id)).group_by(model.state).tuples())


def decisions_per_booking(transition: str = "accept") -> dict[int, int]:
    """booking id -> how many history rows of `transition` it has."""
    return dict(
        WorkflowHistory.select(WorkflowHistory.object_id, fn.COUNT(WorkflowHistory.id))
        .where(WorkflowHistory.workflow == "booking", WorkflowHistory.transition == transition)
        .group_by(WorkflowHistory.object_id)
        .tuples()
    )


def assert_each_line_decided_once(expected_lines: int) -> None:
    """No line pending; every booking accepted exactly once by the line that owns it; the
    line states agree with the booking states; every request closed."""
    assert RequestLine.select().where(RequestLine.state == "pending").count() == 0
    assert state_counts(RequestLine) == {"accepted": expected_lines}
    assert state_counts(Booking) == {"booked": expected_lines}
    accepts = decisions_per_booking("accept")
    assert len(accepts) == expected_lines
    assert set(accepts.values()) == {1}
    assert (
        WorkflowHistory.select().where(WorkflowHistory.transition.in_(["refuse", "queue"])).count()
        == 0
    )
    # the history row names the line that was accepted, and it is the booking's own line
    mismatched = (
        Booking.select()
        .join(RequestLine, on=(Booking.line == RequestLine.id))
        .where(
            (RequestLine.child != Booking.child)
            | (RequestLine.unit != Booking.unit)
            | (RequestLine.date != Booking.date)
            | (RequestLine.state != "accepted")
        )
        .count()
    )
    assert mismatched == 0
    assert Booking.select().where(Booking.line.is_null()).count() == 0
    assert state_counts(Request) == {"done": Request.select().count()}
