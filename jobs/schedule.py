"""The timer: rq's own cron scheduler enqueues the validator every VALIDATE_EVERY seconds,
and the other periodic jobs."""

from __future__ import annotations

from rq.cron import CronScheduler

from config import get_config

from .maintenance import PURGE_EVERY, purge_personal_logs
from .payments import abandon_stale_payments
from .queue import redis_from_url, setting
from .validator import validate_pending


def build_scheduler(config=None) -> CronScheduler:
    config = config or get_config()
    scheduler = CronScheduler(
        connection=redis_from_url(setting(config, "REDIS_URL")), name="portail-timer"
    )
    scheduler.register(
        validate_pending,
        queue_name=setting(config, "QUEUE_NAME"),
        interval=setting(config, "VALIDATE_EVERY"),
        job_timeout=3600,
        result_ttl=300,
    )
    # Online payments with no result from the provider after a while are asked once more,
    # then abandoned, which frees their invoices.
    scheduler.register(
        abandon_stale_payments,
        queue_name=setting(config, "QUEUE_NAME"),
        interval=600,
        job_timeout=600,
        result_ttl=300,
    )
    scheduler.register(  # CNIL: connection logs kept 12 months
        purge_personal_logs,
        queue_name=setting(config, "QUEUE_NAME"),
        interval=PURGE_EVERY,
        job_timeout=3600,
        result_ttl=300,
    )
    return scheduler
