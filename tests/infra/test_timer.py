"""The timer (rq's cron scheduler, `flask timer`) enqueues the validator by itself, so a
sweep that was lost (its job gone with the queue) is caught, and a real worker then turns
pending lines green."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from models import Booking
from workflows import bookings

from .. import factories as f
from ..conftest import ROOT, run_worker


def test_timer_enqueues_the_validator_which_books_pending_lines(app, queue):
    town = f.town()
    h = f.household(town)
    child = h.children[0]
    days = f.open_days(n=3)
    bookings.submit(
        f.parent_actor(h),
        [bookings.RequestSpec(child.id, [(f.unit(town).id, d, "book") for d in days])],
    )
    queue.empty()  # the sweep the send asked for is lost
    assert queue.count == 0
    env = {**os.environ, "VALIDATE_EVERY": "1"}
    flask = str(Path(sys.executable).parent / "flask")
    timer = subprocess.Popen(
        [flask, "--app", "app", "timer"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        enqueued: list[str] = []
        while "jobs.validator.validate_pending" not in enqueued and time.monotonic() < deadline:
            time.sleep(0.2)
            enqueued = [job.func_name for job in queue.jobs]
        assert "jobs.validator.validate_pending" in enqueued, f"the timer enqueued {enqueued}"
    finally:
        os.killpg(timer.pid, signal.SIGTERM)
        timer.wait(20)
    assert {b.state for b in Booking.select()} == {"requested"}
    run_worker()
    assert [b.state for b in Booking.select()] == ["booked"] * len(days)
