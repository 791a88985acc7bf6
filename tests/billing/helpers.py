"""Billing test helpers: a town with prices, households with booked days last month."""

from __future__ import annotations

import datetime as dt
import subprocess

from models import Account, Booking, Unit
from models.billing import Invoice, Price
from workflows import invoicing
from workflows.accounts import actor_for
from workflows.pricing import month_bounds, previous_month

from .. import factories as f

MONTH = previous_month(dt.date.today())
# REPAS by tier; garderie flat.
PRICES = {
    "REPAS": [(0, 600, 150), (601, 1200, 285), (1201, None, 390)],
    "PAI": [(0, None, 100)],
    "GARDERIE MATIN": [(0, None, 120)],
    "GARDERIE 16H30-18H30": [(0, 800, 155), (801, None, 210)],
}


def priced_town(slug: str | None = None):
    town = f.town(slug)
    for unit in (
        Unit.select().join(Unit.service.rel_model).where(Unit.service.rel_model.town == town.id)
    ):
        for qf_min, qf_max, cents in PRICES.get(unit.code, [(0, None, 500)]):
            Price.create(
                town=town,
                unit=unit,
                qf_min=qf_min,
                qf_max=qf_max,
                amount_cents=cents,
                valid_from=dt.date(2020, 1, 1),
            )
    return town


def weekdays(month=MONTH, n: int | None = None):
    first, last = month_bounds(month)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    days = [d for d in days if d.isoweekday() in (1, 2, 4, 5)]
    return days[:n] if n else days


def book(child, unit, days, state="booked"):
    Booking.insert_many(
        [{"child": child.id, "unit": unit.id, "date": d, "state": state} for d in days]
    ).execute()


def family(town, name="Martin", qf=500, children=("Léa",), birth=dt.date(2017, 3, 14)):
    h = f.household(town, name, children)
    h.qf = qf
    h.save()
    for c in h.children:
        c.birth_date = birth
        c.save()
    return h


def staff_actor(town, roles="finance"):
    return actor_for(f.staff(town, roles))


def pdftotext(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def issued_invoice(town=None, name="Martin", qf=500, days=4, **kw):
    """A town (new unless given), a household with `days` meals last month, its invoice
    issued. Returns (town, household, invoice)."""
    town = town or priced_town()
    h = family(town, name, qf=qf, **kw)
    book(h.children[0], f.unit(town), weekdays(n=days))
    invoicing.draft_month(town.id, MONTH)
    invoicing.issue_month(
        staff_actor(town, "finance") if not _has_staff(town) else _staff_of(town), town.id, MONTH
    )
    return town, h, Invoice.get(Invoice.household == h.id)


def _has_staff(town) -> bool:
    return Account.select().where(Account.town == town.id, Account.is_staff == True).exists()  # noqa: E712


def _staff_of(town):
    return actor_for(Account.get(Account.town == town.id, Account.is_staff == True))  # noqa: E712
