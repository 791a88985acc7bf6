"""The timer: rq's own cron scheduler enqueues the validator every VALIDATE_EVERY seconds,
and the other periodic jobs. Each is also what catches up after a lost job or a Redis
outage: the database says what is left to do."""

from __future__ import annotations

from rq.cron import CronScheduler

from config import get_config

from .content import EXPIRE_EVERY, expire_content
from .mail import deliver_outgoing
from .maintenance import PURGE_EVERY, purge_personal_logs
from .notifications import notify_decided_requests
from .openings import OPENINGS_EVERY, run_openings
from .payments import abandon_stale_payments
from .queue import redis_from_url, setting
from .reminders import REMIND_EVERY, remind_deadlines
from .validator import validate_pending


def build_scheduler(config=None) -> CronScheduler:
    config = config or get_config()
    scheduler = CronScheduler(
        connection=redis_from_url(setting(config, "REDIS_URL")), name="portail-timer"
    )
    queue = setting(config, "QUEUE_NAME")
    for func, every, timeout in (
        (validate_pending, setting(config, "VALIDATE_EVERY"), 3600),
        # Requests decided and e-mails written while no job could be queued.
        (notify_decided_requests, setting(config, "MAIL_EVERY"), 600),
        (deliver_outgoing, setting(config, "MAIL_EVERY"), 1800),
        # Online payments with no result from the provider after a while are asked once
        # more, then abandoned, which frees their invoices.
        (abandon_stale_payments, 600, 600),
        (purge_personal_logs, PURGE_EVERY, 3600),  # CNIL: connection logs kept 12 months
        (expire_content, EXPIRE_EVERY, 600),  # content past its expiry date goes private
        (remind_deadlines, REMIND_EVERY, 1800),  # e-mails before a booking deadline closes
        (run_openings, OPENINGS_EVERY, 1800),  # openings opened, allocated at their close
    ):
        scheduler.register(
            func, queue_name=queue, interval=every, job_timeout=timeout, result_ttl=300
        )
    return scheduler
