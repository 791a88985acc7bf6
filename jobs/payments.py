"""Payment jobs: a provider notification processed by a worker (what our simulator sends,
server to server), and the sweep that abandons payments left without a result."""

from __future__ import annotations

import datetime as dt
import logging

from workflows import payments

from .context import job_database
from .queue import queue_for

log = logging.getLogger(__name__)


def process_notification(town_id: int, query_string: str) -> str:
    with job_database() as cfg:
        return payments.handle_notification(town_id, query_string, cfg)


def abandon_stale_payments(minutes: int = 30) -> int:
    with job_database() as cfg:
        count = payments.abandon_stale(cfg, dt.timedelta(minutes=minutes))
    log.info("abandoned %d stale payments", count)
    return count


def enqueue_notification(config, town_id: int, query_string: str):
    return queue_for(config).enqueue(
        process_notification, town_id, query_string, job_timeout=300, result_ttl=3600
    )
