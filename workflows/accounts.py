"""Logins and who an account acts as."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import Account, Guardian, Household

from .engine import Actor

# Argon2id at OWASP's parameters (19 MiB, 2 iterations, 1 lane): about 25 ms a hash here.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate(email: str, password: str) -> Account | None:
    account = Account.get_or_none(Account.email == (email or "").strip().lower())
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.is_active:
        return None
    return account


def household_ids(account: Account) -> frozenset[int]:
    return frozenset(
        hid
        for (hid,) in Guardian.select(Guardian.household).where(Guardian.account == account).tuples()
    )


def actor_for(account: Account) -> Actor:
    return Actor(
        account_id=account.id,
        staff_roles=account.role_set if account.is_staff else frozenset(),
        household_ids=household_ids(account),
        town_id=account.town_id,
    )


def household_of(account: Account) -> Household | None:
    """The household a parent acts for (the first, until accounts can switch towns)."""
    guardian = (
        Guardian.select(Guardian, Household)
        .join(Household)
        .where(Guardian.account == account)
        .order_by(Guardian.id)
        .first()
    )
    return guardian.household if guardian else None
