"""The validator: sweeps pending lines of timer-mode units in batches."""

from __future__ import annotations

import logging

from workflows.decisions import sweep

from .context import job_database
from .notifications import notify_decided_requests

log = logging.getLogger(__name__)


def validate_pending(batch: int | None = None) -> int:
    """Decide every pending line of timer-mode units. Safe to run twice or in two workers at
    once: each batch takes its lines under lock and only pending lines are decided."""
    with job_database() as cfg:
        decided = sweep(batch or cfg.VALIDATOR_BATCH)
    log.info("validator decided %d lines", decided)
    notify_decided_requests()
    return decided
