"""The openings' timer job: drafts whose window has come are opened (the seed committed),
openings whose window has closed are allocated (workflows.opening_allocation.allocate,
once: of two jobs at once, the conditional UPDATE of `allocate` lets one through)."""

from __future__ import annotations

import datetime as dt
import logging

from models.openings import Opening
from workflows import opening_allocation
from workflows.calendar import PARIS
from workflows.engine import Conflict
from workflows.openings import open_collecting

from .context import job_database

log = logging.getLogger(__name__)
OPENINGS_EVERY = 60  # seconds: the places are given within a minute of the close


def run_openings(at: str | None = None) -> int:
    """Open and allocate what is due at `at` (ISO, aware or naive Paris time; now when not
    given). Returns how many openings were allocated by this run."""
    now = dt.datetime.fromisoformat(at) if at else dt.datetime.now(PARIS)
    if now.tzinfo is None:
        now = now.replace(tzinfo=PARIS)
    allocated = 0
    with job_database():
        to_open, to_allocate = opening_allocation.due(now)
        for opening_id in to_open:
            try:
                open_collecting(Opening.get_by_id(opening_id))
            except Conflict:
                pass  # another job opened it
        for opening_id in to_allocate:
            n = opening_allocation.allocate(opening_id, now=now)
            if n is not None:
                allocated += 1
                log.info("opening %d allocated: %d decisions", opening_id, n)
    return allocated
