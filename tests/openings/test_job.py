"""The allocation at the close, by the timer's job on real rq workers: two at once allocate
once."""

from __future__ import annotations

import subprocess
import threading

from jobs.openings import run_openings
from models import WorkflowHistory
from models.openings import Opening, OpeningDecision
from workflows.accounts import actor_for
from workflows.opening_allocation import allocate
from workflows.openings import ask

from .. import factories as f
from ..jobs.workers import start_worker
from .conftest import AFTER, NOW
from .test_opening import JULY


def _requests(town, opening, n=6):
    for i in range(n):
        h = f.household(town, f"F{i}", children=("A",))
        ask(actor_for(h.guardians[0].account), opening, h.children[0].id, JULY, now=NOW)


def test_two_workers_at_once_allocate_once(town, opening, queue):
    _requests(town, opening)
    for _ in range(2):
        queue.enqueue(run_openings, AFTER.isoformat())
    workers = [start_worker(stderr=subprocess.PIPE) for _ in range(2)]
    for w in workers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    assert Opening.get_by_id(opening.id).state == "allocated"
    assert OpeningDecision.select().count() == 18
    moves = WorkflowHistory.select().where(
        WorkflowHistory.workflow == "opening", WorkflowHistory.transition == "allocate"
    )
    assert moves.count() == 1


def test_two_threads_at_once_allocate_once(town, opening):
    _requests(town, opening)
    results = []
    barrier = threading.Barrier(2)

    def run():
        from models import database

        barrier.wait()
        try:
            results.append(allocate(opening.id, now=AFTER))
        finally:
            database.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results, key=lambda r: r or 0) == [None, 18]
    assert OpeningDecision.select().count() == 18


def test_the_job_does_nothing_before_the_close(town, opening, queue):
    _requests(town, opening, 1)
    assert run_openings(NOW.isoformat()) == 0
    assert Opening.get_by_id(opening.id).state == "collecting"


def test_the_timer_runs_the_openings():
    from jobs.schedule import build_scheduler

    assert "run_openings" in [job.func.__name__ for job in build_scheduler().get_jobs()]
