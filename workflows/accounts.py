"""Accounts: logging in and who an account acts as (its households), passwords and their
rules, one-time links (invitation, reset, confirmation) and signing up. Sessions and the
connection log are workflows.sessions; households and what parents edit in them,
workflows.households."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from models import Account, Guardian, HotQuery, Household, Town, hydrate, transaction, utcnow
from models.accounts import AccountProfile, AccountSession, OneTimeToken

from .engine import Actor
from .sessions import end_other_sessions

# Argon2id at OWASP's parameters (19 MiB, 2 iterations, 1 lane): about 25 ms a hash here.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(email: str, password: str) -> Account | None:
    account = Account.get_or_none(Account.email == (email or "").strip().lower())
    # An account still waiting for its invitation has no real hash: verify the dummy one,
    # so that it answers in the same time as any other.
    stored = (
        account.password_hash
        if account and account.password_hash.startswith("$argon2")
        else _DUMMY_HASH
    )
    try:
        _hasher.verify(stored, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.is_active or stored is _DUMMY_HASH:
        return None
    return account


def actor_for(account: Account, households: list[Household] | None = None) -> Actor:
    """The actor an account fires transitions as; `households`, when the caller has them
    (see `accounts.load_account`), saves a query."""
    return Actor(
        account_id=account.id,
        staff_roles=account.role_set if account.is_staff else frozenset(),
        household_ids=frozenset(
            h.id for h in (joined_households(account) if households is None else households)
        ),
        town_id=account.town_id,
    )


class LoadedAccount(NamedTuple):
    account: Account
    households: list[Household]  # in the order the account joined them (first = default)
    session: AccountSession | None


_ACCOUNT = Account._meta.sorted_fields
_HOUSEHOLD = Household._meta.sorted_fields
_SESSION = (
    AccountSession.id,
    AccountSession.created_at,
    AccountSession.last_seen,
    AccountSession.second_factor_at,
)
_HOUSEHOLDS_SQL = (
    ' LEFT JOIN "guardian" ON "guardian"."account_id" = "account"."id"'
    ' LEFT JOIN "household" ON "household"."id" = "guardian"."household_id"'
    ' WHERE "account"."id" = %s ORDER BY "guardian"."id"'
)
_LOAD_ACCOUNT = HotQuery((*_ACCOUNT, Guardian.id, *_HOUSEHOLD), 'FROM "account"' + _HOUSEHOLDS_SQL)
_LOAD_SESSION = HotQuery(
    (*_ACCOUNT, Guardian.id, *_HOUSEHOLD, *_SESSION),
    'FROM "account" JOIN "account_session" ON "account_session"."account_id" = "account"."id"'
    ' AND "account_session"."sid" = %s' + _HOUSEHOLDS_SQL,
)


def load_account(account_id: int, sid: str | None = None) -> LoadedAccount | None:
    """An account with its households and, when `sid` is given, that session row of it, in
    one query (every page and API call starts here). None when the account, or the session
    asked for, does not exist."""
    if sid is None:
        rows = _LOAD_ACCOUNT.rows(account_id)
    else:
        rows = _LOAD_SESSION.rows(sid, account_id)
    if not rows:
        return None
    a, h = len(_ACCOUNT), len(_ACCOUNT) + 1
    first = rows[0]
    households = [
        hydrate(Household, _HOUSEHOLD, row[h : h + len(_HOUSEHOLD)])
        for row in rows
        if row[a] is not None
    ]
    session = None
    if sid is not None:
        session = hydrate(AccountSession, _SESSION, first[h + len(_HOUSEHOLD) :])
        session.account_id = account_id
    return LoadedAccount(hydrate(Account, _ACCOUNT, first[:a]), households, session)


def pick_household(households: list[Household], household_id: int | None) -> Household | None:
    """The household chosen with 'changer de collectivité' when it is still the account's,
    else the first one."""
    for h in households:
        if h.id == household_id:
            return h
    return households[0] if households else None


def joined_households(account: Account) -> list[Household]:
    """The account's households with their town, in the order it joined them (the first is
    the default)."""
    return list(
        Household.select(Household, Town)
        .join(Town)
        .switch(Household)
        .join(Guardian)
        .where(Guardian.account == account)
        .order_by(Guardian.id)
    )


def households_of(account: Account) -> list[Household]:
    """The account's households, by town name (as the town switch lists them)."""
    return sorted(joined_households(account), key=lambda h: (h.town.name, h.id))


# -- passwords ----------------------------------------------------------------------------------
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # long passphrases are welcome; this only bounds the hashing work
UNUSABLE = "!"  # a password hash no password matches (accounts waiting for their invitation)


class AccountError(Exception):
    """A refusal with a message a parent can read (French)."""


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(
        line.strip().lower()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str | None, email: str = "") -> str | None:
    """Why `password` may not be chosen (in French), or None when it is fine."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return f"Le mot de passe doit compter au moins {MIN_PASSWORD} caractères."
    if len(password) > MAX_PASSWORD:
        return f"Le mot de passe ne peut pas dépasser {MAX_PASSWORD} caractères."
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) == 1:
        return (
            "Ce mot de passe est trop courant : choisissez-en un autre, par exemple une "
            "phrase de plusieurs mots."
        )
    local = normalise_email(email).split("@")[0]
    if email and (lowered == normalise_email(email) or (len(local) >= 4 and lowered == local)):
        return "Le mot de passe ne doit pas être votre adresse e-mail."
    return None


def check_password(password: str, email: str = "") -> None:
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)


def set_password(account: Account, password: str, keep_sid: str | None = None) -> None:
    """Set a new password (checked), activate the account, and end its other sessions and
    outstanding reset links."""
    check_password(password, account.email)
    new_hash = hash_password(password)
    with transaction():
        Account.update(password_hash=new_hash, is_active=True).where(
            Account.id == account.id
        ).execute()
        end_other_sessions(account, keep_sid)
        OneTimeToken.update(used_at=utcnow()).where(
            OneTimeToken.account == account,
            OneTimeToken.purpose == "reset",
            OneTimeToken.used_at.is_null(),
        ).execute()
    account.password_hash = new_hash
    account.is_active = True


def change_password(account: Account, old: str, new: str, keep_sid: str | None) -> None:
    try:
        _hasher.verify(account.password_hash, old or "")
    except (VerificationError, InvalidHashError):
        raise AccountError("L'ancien mot de passe est incorrect.") from None
    if old == new:
        raise AccountError("Le nouveau mot de passe doit être différent de l'ancien.")
    set_password(account, new, keep_sid=keep_sid)


# -- e-mail addresses ---------------------------------------------------------------------------
EMAIL_RE = r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"
_EMAIL = re.compile(EMAIL_RE)


def valid_email(email: str) -> bool:
    return bool(_EMAIL.match(normalise_email(email))) and len(email) <= 254


# -- one-time links -----------------------------------------------------------------------------
TOKEN_TTL = {
    "reset": dt.timedelta(hours=1),
    "invite": dt.timedelta(days=7),
    "confirm": dt.timedelta(days=7),
}


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"portail-one-time-{purpose}")


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue_token(
    account: Account | int, purpose: str, secret: str, now: dt.datetime | None = None
) -> str:
    """Create a one-time link token for `purpose` (reset: 1 h, invite/confirm: 7 days).
    Earlier unused tokens of the same purpose stop working: only the last link counts."""
    now = now or utcnow()
    nonce = secrets.token_urlsafe(24)
    account_id = account if isinstance(account, int) else account.id
    with transaction():
        OneTimeToken.update(used_at=now).where(
            OneTimeToken.account == account_id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_null(),
        ).execute()
        row = OneTimeToken.create(
            account=account_id,
            purpose=purpose,
            nonce_hash=_digest(nonce),
            created_at=now,
            expires_at=now + TOKEN_TTL[purpose],
        )
    return _serializer(secret, purpose).dumps([row.id, nonce])


def check_token(
    token: str, purpose: str, secret: str, now: dt.datetime | None = None
) -> OneTimeToken | None:
    """The token's row when the link is genuine, unused and not expired; None otherwise."""
    now = now or utcnow()
    try:
        token_id, nonce = _serializer(secret, purpose).loads(
            token or "", max_age=int(TOKEN_TTL[purpose].total_seconds())
        )
        token_id = int(token_id)
        nonce = str(nonce)
    except (BadSignature, TypeError, ValueError):
        return None
    row = OneTimeToken.get_or_none(OneTimeToken.id == token_id)
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= now:
        return None
    if not hmac.compare_digest(row.nonce_hash, _digest(nonce)):
        return None
    return row


def consume_token(row: OneTimeToken, now: dt.datetime | None = None) -> bool:
    """Mark the token used; False when someone used it first (the link works once)."""
    n = (
        OneTimeToken.update(used_at=now or utcnow())
        .where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_null())
        .execute()
    )
    return n == 1


def use_link(token: str, purpose: str, secret: str, password: str) -> Account:
    """Choose a password through an invitation or reset link (which then stops working)."""
    row = check_token(token, purpose, secret)
    if row is None:
        raise AccountError("Ce lien n'est plus valable : il a déjà servi ou a expiré.")
    account = Account.get_by_id(row.account_id)
    check_password(password, account.email)
    if not consume_token(row):
        raise AccountError("Ce lien n'est plus valable : il a déjà servi ou a expiré.")
    set_password(account, password)
    if purpose in ("invite", "confirm"):
        AccountProfile.update(email_confirmed=True).where(
            AccountProfile.account == account
        ).execute()
    return account


# -- signing up ---------------------------------------------------------------------------------
# What a parent gives when signing up alone (kept on AccountProfile, exported with the data).
PROFILE_FIELDS = (
    "household_name",
    "civility",
    "first_name",
    "last_name",
    "phone",
    "phone2",
    "notify_by",
)


def signup(email: str, password: str, profile: dict) -> tuple[Account | None, bool]:
    """Create a parent's account, inactive until its e-mail is confirmed. Returns
    (account, created); for an e-mail already known, (that account, False) and nothing
    changes: the caller answers the same either way (no account enumeration)."""
    email = normalise_email(email)
    check_password(password, email)
    # Hashed before looking the e-mail up: a known e-mail must take as long as a new one,
    # or the answer's timing tells who has an account.
    password_hash = hash_password(password)
    existing = Account.get_or_none(Account.email == email)
    if existing is not None:
        return existing, False
    fields = {k: str(profile.get(k) or "").strip()[:200] for k in PROFILE_FIELDS}
    with transaction():
        account = Account.create(email=email, password_hash=password_hash, is_active=False)
        AccountProfile.create(account=account, **fields)
    return account, True


def confirm_email(token: str, secret: str) -> Account:
    row = check_token(token, "confirm", secret)
    if row is None or not consume_token(row):
        raise AccountError("Ce lien n'est plus valable : il a déjà servi ou a expiré.")
    with transaction():
        Account.update(is_active=True).where(Account.id == row.account_id).execute()
        AccountProfile.update(email_confirmed=True).where(
            AccountProfile.account == row.account_id
        ).execute()
    return Account.get_by_id(row.account_id)
