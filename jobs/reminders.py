"""Reminding households of a booking deadline about to close (workflows.reminders)."""

from __future__ import annotations

import logging

from workflows.reminders import remind

from .context import job_database

log = logging.getLogger(__name__)
REMIND_EVERY = 900  # seconds: a reminder goes out within 15 minutes of entering the window


def remind_deadlines() -> int:
    """The timer's job: write the reminders due now to the outbox (each once)."""
    with job_database() as cfg:
        count = remind(cfg.PUBLIC_URL)
    if count:
        log.info("wrote %d deadline reminders", count)
    return count
