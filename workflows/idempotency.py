"""Retries are safe: an operation asked for with an Idempotency-Key runs at most once per
account and key, and a retry gets the first answer (IETF draft "The Idempotency-Key HTTP
Header Field"). The key's row is written in the operation's own transaction, first: a
retry that arrives while the first attempt is still running waits on the row (PostgreSQL's
unique index, SQLite's write lock), then reads its answer. An attempt that fails leaves no
row, so its retry runs anew."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from models import transaction, utcnow
from models.accounts import IdempotentReply

KEEP = dt.timedelta(hours=24)
MAX_KEY = 255


class KeyReused(Exception):
    """The key was first used for another request."""


def valid_key(key: str | None) -> bool:
    return bool(key) and len(key) <= MAX_KEY and key.isprintable() and key.isascii()


def fingerprint(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\0")
    return h.hexdigest()


def once(
    account_id: int, key: str, print_: str, produce: Callable[[], tuple[int, str]]
) -> tuple[int, str, bool]:
    """(status, body, replayed): `produce()`'s answer, or the one it gave the first time
    this account used `key`. Raises KeyReused when that first time asked something else."""
    since = utcnow() - KEEP
    with transaction():
        IdempotentReply.delete().where(
            IdempotentReply.account == account_id,
            IdempotentReply.key == key,
            IdempotentReply.created_at < since,
        ).execute()
        fresh = list(
            IdempotentReply.insert(account=account_id, key=key, fingerprint=print_)
            .on_conflict_ignore()
            .returning(IdempotentReply.id)
            .tuples()
            .execute()
        )
        if not fresh:
            row = IdempotentReply.get(
                IdempotentReply.account == account_id, IdempotentReply.key == key
            )
            if row.fingerprint != print_:
                raise KeyReused(key)
            return row.status, row.body, True
        status, body = produce()
        IdempotentReply.update(status=status, body=body).where(
            IdempotentReply.id == fresh[0][0]
        ).execute()
    return status, body, False


def purge(now: dt.datetime | None = None) -> int:
    """Forget the answers older than a day (the timer's housekeeping)."""
    return (
        IdempotentReply.delete()
        .where(IdempotentReply.created_at < (now or utcnow()) - KEEP)
        .execute()
    )
