"""The staff API tokens: made by a town's admin for its software (scope, expiry), revoked
by an admin, checked on every call. A token is `pfs_` and 43 random characters; only its
SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from models import StaffApiToken, db, utcnow
from models.staff import STAFF_TOKEN_SCOPES

from . import audit
from .engine import Actor, Forbidden, WorkflowError

PREFIX = "pfs_"
MAX_DAYS = 366


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _audit(actor: Actor, town_id: int, action: str, row: StaffApiToken, fields: dict) -> None:
    """The audit row of a token made or revoked: who, the token's name, scope and prefix,
    when; never the token (its hash neither)."""
    audit.record_for(
        actor,
        town_id,
        action,
        audit.kind_of(StaffApiToken),
        row,
        None,
        {"nom": row.name, "droit": STAFF_TOKEN_SCOPES.get(row.scope, row.scope), **fields},
    )


def _moment(at: dt.datetime) -> str:
    return at.strftime("%d/%m/%Y %H:%M")


def _require_admin(actor: Actor, town_id: int) -> None:
    if "admin" not in actor.roles_on(None, town_id):
        raise Forbidden("only the town's admins manage staff API tokens", code="forbidden")


def create(
    actor: Actor, town_id: int, name: str, scope: str, days: int
) -> tuple[StaffApiToken, str]:
    """A new token of `town_id` for `scope`, valid `days` days; returns it and its value
    (shown once)."""
    _require_admin(actor, town_id)
    if scope not in STAFF_TOKEN_SCOPES:
        raise WorkflowError(f"unknown scope {scope!r}", code="bad_scope")
    if not 1 <= days <= MAX_DAYS or not name.strip():
        raise WorkflowError("a name and 1 to 366 days are required", code="bad_token")
    value = PREFIX + secrets.token_urlsafe(32)
    with db.transaction():
        row = StaffApiToken.create(
            town=town_id,
            name=name.strip()[:100],
            scope=scope,
            token_hash=_hash(value),
            prefix=value[:10],
            created_by=actor.account_id,
            expires_at=utcnow() + dt.timedelta(days=days),
        )
        _audit(actor, town_id, "create", row, {"expire le": _moment(row.expires_at)})
    return row, value


def revoke(actor: Actor, town_id: int, token_id: int) -> bool:
    """Revoke a token of the town; False when there was none still valid."""
    _require_admin(actor, town_id)
    with db.transaction():
        done = bool(
            StaffApiToken.update(revoked_at=utcnow())
            .where(
                StaffApiToken.id == token_id,
                StaffApiToken.town == town_id,
                StaffApiToken.revoked_at.is_null(),
            )
            .execute()
        )
        if done:
            row = StaffApiToken.get_by_id(token_id)
            _audit(actor, town_id, "revoke", row, {"révoqué le": _moment(row.revoked_at)})
    return done


def check(value: str, scope: str, now: dt.datetime | None = None) -> StaffApiToken | None:
    """The token of `value` if it exists, has `scope`, is not expired nor revoked."""
    if not value.startswith(PREFIX):
        return None
    now = now or utcnow()
    row = StaffApiToken.get_or_none(StaffApiToken.token_hash == _hash(value))
    if row is None or row.scope != scope or row.revoked_at is not None or row.expires_at <= now:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        StaffApiToken.update(last_used_at=now).where(StaffApiToken.id == row.id).execute()
    return row


def town_tokens(town_id: int):
    return (
        StaffApiToken.select()
        .where(StaffApiToken.town == town_id)
        .order_by(StaffApiToken.id.desc())
    )
