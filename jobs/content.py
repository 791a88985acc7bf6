"""The content's timer job: published items whose expiry date has passed go back to
private (workflows.publication.expire_due, each with its history row)."""

from __future__ import annotations

import datetime as dt
import logging

from workflows import publication

from .context import job_database

log = logging.getLogger(__name__)
EXPIRE_EVERY = 300  # seconds; pages hide an expired item at once anyway


def expire_content(at: str | None = None) -> int:
    """Expire what is due at `at` (ISO, naive UTC; now when not given: tests give a fixed
    clock). Idempotent: a second run, or a second worker, moves nothing more."""
    now = dt.datetime.fromisoformat(at) if at else None
    with job_database():
        moved = publication.expire_due(now)
    if moved:
        log.info("expired %d content items", moved)
    return moved
