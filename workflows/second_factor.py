"""The second factor: a TOTP code (RFC 6238, 30-second steps, one step either side) from an
authenticator application, after the password. Mandatory for staff, a choice for parents.

Enrolment gives the account a secret (shown as a QR code and as text), confirmed by a first
code; ten single-use recovery codes are made then and shown once (only their SHA-256 is
kept). A code is accepted once: the last step used is stored on the account and moved
forward by one conditional UPDATE, so a replayed code (the same step) is refused, even by
two requests at the same moment. The secret is stored in clear (base32) in the account's
row: it is never shown again after enrolment, left out of the audit, and an admin resets
it when a phone is lost.

A session passes the second factor when its row gets `second_factor_at`
(models.accounts.AccountSession); until then the login is not finished (blueprints/auth).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets

import pyotp
import segno

from models import Account, transaction, utcnow
from models.accounts import AccountSession, RecoveryCode

from . import audit
from .sessions import end_all_sessions

STEP = 30  # seconds (RFC 6238's default, what every authenticator uses)
WINDOW = 1  # steps accepted either side of now (a phone's clock a little off)
RECOVERY_CODES = 10
ISSUER = "Portail Famille"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from paper


class Check(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    REPLAYED = "replayed"


MESSAGES_FR = {
    Check.WRONG: "Ce code n'est pas le bon. Vérifiez l'heure de votre téléphone et réessayez.",
    Check.REPLAYED: "Ce code a déjà servi : attendez le suivant (toutes les 30 secondes).",
}


def needed(account: Account) -> bool:
    """Must this account pass a second factor after its password? Staff always (enrolled
    or not yet), a parent once they turned it on."""
    return account.is_staff or account.totp_confirmed_at is not None


def enrolled(account: Account) -> bool:
    return account.totp_confirmed_at is not None


# -- enrolment ------------------------------------------------------------------------------
def pending_secret(account: Account) -> str:
    """The secret being enrolled: the one already set (a demo account's, printed by
    `demo-data`; a reload of the page) or a new one."""
    if account.totp_secret and not enrolled(account):
        return account.totp_secret
    secret = pyotp.random_base32()
    Account.update(totp_secret=secret, totp_confirmed_at=None, totp_last_step=0).where(
        Account.id == account.id
    ).execute()
    account.totp_secret, account.totp_confirmed_at, account.totp_last_step = secret, None, 0
    return secret


def provisioning_uri(account: Account, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as an inline SVG (no image file, no external service)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title="QR code à scanner")


def grouped(secret: str) -> str:
    """The secret in groups of four, to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm(account: Account, code: str, now: dt.datetime | None = None) -> list[str] | None:
    """Finish the enrolment with a first code: the secret is in use from now on and the
    ten recovery codes are returned (to show once). None when the code is wrong."""
    if not account.totp_secret or enrolled(account):
        return None
    step = _step_of(account.totp_secret, code, now)
    if step is None:
        return None
    with transaction():
        n = (
            Account.update(totp_confirmed_at=utcnow(), totp_last_step=step)
            .where(Account.id == account.id, Account.totp_confirmed_at.is_null())
            .execute()
        )
        if n != 1:
            return None
        codes = new_recovery_codes(account)
    account.totp_confirmed_at, account.totp_last_step = utcnow(), step
    return codes


def new_recovery_codes(account: Account) -> list[str]:
    """Ten new recovery codes (the old ones stop working); returned once, stored hashed."""
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    with transaction():
        RecoveryCode.delete().where(RecoveryCode.account == account.id).execute()
        store_recovery_codes(account, codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def store_recovery_codes(account: Account, codes: list[str]) -> None:
    RecoveryCode.insert_many(
        [{"account": account.id, "code_hash": _hash(c)} for c in codes]
    ).execute()


def recovery_codes_left(account: Account) -> int:
    return (
        RecoveryCode.select()
        .where(RecoveryCode.account == account.id, RecoveryCode.used_at.is_null())
        .count()
    )


# -- checking a code ------------------------------------------------------------------------
def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _step_of(secret: str, code: str, now: dt.datetime | None = None) -> int | None:
    """The time step whose code `code` is, within WINDOW steps of now; None otherwise."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    moment = (now or utcnow()).replace(tzinfo=dt.UTC)
    totp = pyotp.TOTP(secret, interval=STEP)
    current = totp.timecode(moment)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check(account: Account, code: str, now: dt.datetime | None = None) -> Check:
    """A code typed after the password: a TOTP code of the account's secret, accepted once,
    or one of its recovery codes, which then stops working."""
    if not enrolled(account):
        return Check.WRONG
    normal = _normalise(code)
    if len(normal) == 10:  # a recovery code
        used = (
            RecoveryCode.update(used_at=utcnow())
            .where(
                RecoveryCode.account == account.id,
                RecoveryCode.code_hash == _hash(normal),
                RecoveryCode.used_at.is_null(),
            )
            .execute()
        )
        return Check.OK if used == 1 else Check.WRONG
    step = _step_of(account.totp_secret, normal, now)
    if step is None:
        return Check.WRONG
    moved = (
        Account.update(totp_last_step=step)
        .where(Account.id == account.id, Account.totp_last_step < step)
        .execute()
    )
    if moved != 1:
        return Check.REPLAYED
    account.totp_last_step = step
    return Check.OK


def passed(sid: str, now: dt.datetime | None = None) -> None:
    """The session `sid` has passed the second factor."""
    AccountSession.update(second_factor_at=now or utcnow()).where(
        AccountSession.sid == sid
    ).execute()


# -- turning it off -------------------------------------------------------------------------
def _clear(account: Account) -> None:
    Account.update(totp_secret="", totp_confirmed_at=None, totp_last_step=0).where(
        Account.id == account.id
    ).execute()
    RecoveryCode.delete().where(RecoveryCode.account == account.id).execute()
    account.totp_secret, account.totp_confirmed_at, account.totp_last_step = "", None, 0


def disable(account: Account) -> None:
    """A parent turns their second factor off (staff may not: see `needed`)."""
    if account.is_staff:
        raise ValueError("staff accounts keep their second factor")
    with transaction():
        _clear(account)


def reset(admin: Account, colleague: Account, reason: str = "") -> None:
    """An admin resets a colleague's second factor (a lost phone): the secret and recovery
    codes go, every session of the colleague ends, and their next sign-in enrols again.
    Written in the audit, in the same transaction."""
    with transaction():
        before = {"double authentification": "activée" if enrolled(colleague) else "à activer"}
        _clear(colleague)
        end_all_sessions(colleague)
        audit.record(
            admin,
            colleague.town_id,
            "second_factor_reset",
            audit.kind_of(Account),
            colleague,
            before,
            {"double authentification": "réinitialisée"},
            reason=reason,
        )


def preset_secret(account: Account) -> str:
    """A secret set before the first sign-in (the demo's staff, printed by `demo-data`):
    that sign-in still enrols, with this secret."""
    secret = pyotp.random_base32()
    Account.update(totp_secret=secret, totp_confirmed_at=None, totp_last_step=0).where(
        Account.id == account.id
    ).execute()
    account.totp_secret = secret
    return secret
