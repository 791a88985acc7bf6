"""Factories: a town with its units, a household with enrolled children, in one line."""

from __future__ import annotations

import datetime as dt
import itertools

import pyotp

from models import Account, Unit, utcnow
from workflows import second_factor
from workflows.accounts import actor_for, hash_password
from workflows.calendar import is_public_holiday, is_school_holiday
from workflows.demo import create_household, create_town

_seq = itertools.count(1)
PASSWORD = "un-mot-de-passe-sûr"


def town(slug: str | None = None, zone: str = "A", today: dt.date | None = None):
    slug = slug or f"ville{next(_seq)}"
    return create_town(name=f"Ville {slug}", slug=slug, zone=zone, today=today)


def household(
    town,
    name: str = "Martin",
    children=("Léa",),
    email: str | None = None,
    wednesday: bool = False,
    school: int = 0,
):
    d = town._demo
    site = d["schools"][school]
    services = [(d["canteen"], site, "1245"), (d["care"], site, "1245")]
    if wednesday:
        services.append((d["wednesday"], d["leisure"], "3"))
    email = email or f"{name.lower()}{next(_seq)}@exemple.fr"
    h = create_household(
        town,
        name,
        list(children),
        email=email,
        password=PASSWORD,
        site=site,
        services=services,
        start=d["start"],
        end=d["end"],
    )
    h._email = email
    return h


def staff(town, roles: str = "approver", email: str | None = None, enrolled: bool = True):
    """A staff account of `town` with `roles` (comma-separated), password PASSWORD, and its
    second factor enrolled (a TOTP secret, and the recovery codes `recovery_codes` names)
    unless `enrolled` is False (its first sign-in then enrols)."""
    account = Account.create(
        email=email or f"agent-{town.slug}-{next(_seq)}@mairie.fr",
        password_hash=hash_password(PASSWORD),
        is_staff=True,
        roles=roles,
        town=town,
    )
    if enrolled:
        enrol(account)
    return account


def enrol(account: Account) -> Account:
    """Give `account` a confirmed second factor: a TOTP secret and known recovery codes."""
    account.totp_secret = pyotp.random_base32()
    account.totp_confirmed_at = utcnow()
    account.save()
    second_factor.store_recovery_codes(account, recovery_codes(account))
    return account


def recovery_codes(account: Account) -> list[str]:
    """The recovery codes `enrol` gives (ten characters each, as real ones)."""
    return [f"RC{i}{account.id:07d}" for i in range(second_factor.RECOVERY_CODES)]


def account(h) -> Account:
    return Account.get(Account.email == h._email)


def parent_actor(h):
    return actor_for(account(h))


def unit(town, code: str = "REPAS", school: int = 0) -> Unit:
    site = (
        town._demo["schools"][school] if not code.startswith("MERCREDI") else town._demo["leisure"]
    )
    return Unit.get(Unit.code == code, Unit.site == site)


def open_days(zone: str = "A", weekdays: str = "1245", after: dt.date | None = None, n: int = 5):
    """The next `n` school days on `weekdays` at least three weeks from today (so every
    deadline is ahead), skipping public and school holidays."""
    d = after or dt.date.today() + dt.timedelta(days=21)
    out = []
    while len(out) < n:
        if (
            str(d.isoweekday()) in weekdays
            and not is_public_holiday(d)
            and not is_school_holiday(d, zone)
        ):
            out.append(d)
        d += dt.timedelta(days=1)
    return out
