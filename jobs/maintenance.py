"""Housekeeping on the timer: connection logs older than 12 months are deleted (CNIL), and
so are expired server-side sessions, used or expired one-time links, the answers kept for
idempotent retries (a day) and e-mails sent more than 30 days ago."""

from __future__ import annotations

import datetime as dt
import logging

from models import utcnow
from models.accounts import AccountSession, OneTimeToken
from models.outbox import OutgoingMail
from workflows import idempotency
from workflows.sessions import purge_connections

from .context import job_database

log = logging.getLogger(__name__)
PURGE_EVERY = 24 * 3600
KEEP_CONNECTIONS = dt.timedelta(days=365)
KEEP_SENT_MAIL = dt.timedelta(days=30)


def purge_personal_logs() -> dict:
    """Idempotent: running it twice, or in two workers, deletes nothing more."""
    with job_database():
        now = utcnow()
        connections = purge_connections(KEEP_CONNECTIONS, now)
        sessions = (
            AccountSession.delete()
            .where(AccountSession.created_at < now - dt.timedelta(days=2))
            .execute()
        )
        tokens = (
            OneTimeToken.delete()
            .where(OneTimeToken.expires_at < now - dt.timedelta(days=30))
            .execute()
        )
        replies = idempotency.purge(now)
        mails = OutgoingMail.delete().where(OutgoingMail.sent_at < now - KEEP_SENT_MAIL).execute()
    log.info(
        "purged %d connection logs, %d sessions, %d one-time links, %d replies, %d e-mails",
        connections,
        sessions,
        tokens,
        replies,
        mails,
    )
    return {
        "connections": connections,
        "sessions": sessions,
        "tokens": tokens,
        "replies": replies,
        "mails": mails,
    }
