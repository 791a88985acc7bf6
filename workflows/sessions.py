"""Server-side sessions (the cookie only names a row, with its idle and absolute timeouts)
and the log of a parent's connections (kept twelve months)."""

from __future__ import annotations

import datetime as dt
import secrets

from models import Account, transaction, utcnow
from models.accounts import AccountSession, ConnectionLog


# -- server-side sessions -------------------------------------------------------------------
def open_session(account: Account, now: dt.datetime | None = None) -> str:
    sid = secrets.token_urlsafe(32)
    now = now or utcnow()
    AccountSession.create(account=account, sid=sid, created_at=now, last_seen=now)
    return sid


def session_alive(
    row: AccountSession | None,
    idle: dt.timedelta,
    absolute: dt.timedelta,
    now: dt.datetime | None = None,
) -> bool:
    """True when `row` (the session the cookie names, see `accounts.load_account`) is live, within
    both timeouts (and then its last activity is moved forward, at most once a minute). An
    expired one is deleted."""
    if row is None or row.id is None:
        return False
    now = now or utcnow()
    if now - row.last_seen > idle or now - row.created_at > absolute:
        row.delete_instance()
        return False
    if now - row.last_seen > dt.timedelta(seconds=60):
        AccountSession.update(last_seen=now).where(AccountSession.id == row.id).execute()
    return True


def end_session(sid: str | None) -> None:
    if sid:
        AccountSession.delete().where(AccountSession.sid == sid).execute()


def end_other_sessions(account: Account, keep_sid: str | None = None) -> int:
    query = AccountSession.delete().where(AccountSession.account == account)
    if keep_sid:
        query = query.where(AccountSession.sid != keep_sid)
    return query.execute()


def end_all_sessions(account: Account) -> None:
    """Log out everywhere: every session row goes, and the version bump ends API tokens."""
    with transaction():
        AccountSession.delete().where(AccountSession.account == account).execute()
        Account.update(session_version=Account.session_version + 1).where(
            Account.id == account.id
        ).execute()
    account.session_version += 1


# -- connections ----------------------------------------------------------------------------
_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str | None) -> str:
    """'Firefox sur Windows' from a User-Agent header (best effort, never fails)."""
    ua = user_agent or ""
    browser = next((name for key, name in _BROWSERS if key in ua), "Navigateur inconnu")
    system = next((name for key, name in _SYSTEMS if key in ua), "")
    return f"{browser} sur {system}" if system else browser


def record_connection(
    account: Account, ip: str | None, user_agent: str | None, now: dt.datetime | None = None
) -> None:
    ConnectionLog.create(
        account=account,
        at=now or utcnow(),
        ip=(ip or "")[:64],
        device=device_label(user_agent)[:120],
    )


def connections(account: Account, start: dt.datetime, end: dt.datetime):
    return (
        ConnectionLog.select()
        .where(ConnectionLog.account == account, ConnectionLog.at >= start, ConnectionLog.at < end)
        .order_by(ConnectionLog.at.desc())
    )


def purge_connections(
    older_than: dt.timedelta = dt.timedelta(days=365), now: dt.datetime | None = None
) -> int:
    """Delete connection logs older than 12 months (CNIL)."""
    limit = (now or utcnow()) - older_than
    return ConnectionLog.delete().where(ConnectionLog.at < limit).execute()
