"""Telling households that a request has been decided, by e-mail, once per request."""

from __future__ import annotations

import logging

from workflows import effects
from workflows.notices import announce_decided_requests

from .context import job_database
from .queue import started

log = logging.getLogger(__name__)


def notify_decided_requests() -> int:
    """Write one French e-mail to the outbox for each request decided since the last run
    (decisions ask for this job once they commit). Returns how many were announced."""
    with job_database() as cfg:
        started(cfg, effects.ANNOUNCE)
        count = announce_decided_requests(cfg.PUBLIC_URL)
    log.info("announced %d decided requests", count)
    return count
