"""Billing a shared child: each household is invoiced for the bookings made on its own days,
at its own QF tier; a day staff booked under "both" goes to the household they named; the
tax certificate follows what each household paid."""

from __future__ import annotations

import datetime as dt

from models import Child
from models.billing import Invoice, InvoiceLine
from tests import factories as f
from workflows import billing, bookings, decisions, homes, invoicing, staff_bookings
from workflows.calendar import PARIS
from workflows.pricing import month_bounds
from workflows.tax_certificates import tax_certificate

from ..billing.helpers import MONTH, family, priced_town, staff_actor
from .helpers import actor_of, monday_of

REPAS, CARE = "REPAS", "GARDERIE 16H30-18H30"


def _school_days(first, last):
    return [d for d in f.open_days(after=first, n=25) if d <= last]


def _two_homes(kind="weeks"):
    town = priced_town()
    martin = family(town, "Martin", qf=500, children=("Léa",), birth=dt.date(2022, 5, 1))
    durand = family(town, "Durand", qf=1500, children=("Zoé",), birth=dt.date(2015, 5, 1))
    lea = Child.get(Child.household == martin.id)
    first, last = month_bounds(MONTH)
    start = monday_of(first)
    homes.set_pattern(
        actor_of(f.staff(town, "approver")),
        lea.id,
        durand.id,
        kind,
        dt.date(2000, 1, 1),
        start=start,
    )
    return town, martin, durand, lea, first, last, start


def _book(h, lea, town, days, back):
    units = [f.unit(town, REPAS).id, f.unit(town, CARE).id]
    bookings.submit(
        f.parent_actor(h),
        [bookings.RequestSpec(lea.id, [(u, d, "book") for d in days for u in units])],
        now=back,
    )


def _quantities(h, lea):
    inv = Invoice.get(Invoice.household == h.id)
    return {
        (li.label, li.unit_price_cents): li.quantity
        for li in InvoiceLine.select().where(
            InvoiceLine.invoice == inv, InvoiceLine.child == lea.id
        )
    }


def test_each_household_is_invoiced_its_own_days_at_its_own_tier(app):
    town, martin, durand, lea, first, last, start = _two_homes()
    days = _school_days(first, last)
    martin_days = [d for d in days if ((d - start).days // 7) % 2 == 0]
    durand_days = [d for d in days if ((d - start).days // 7) % 2 == 1]
    assert martin_days and durand_days
    back = dt.datetime.combine(first - dt.timedelta(days=10), dt.time(10), tzinfo=PARIS)
    _book(martin, lea, town, martin_days, back)
    _book(durand, lea, town, durand_days, back)
    decisions.sweep(now=back)

    invoicing.draft_month(town.id, MONTH)
    n_m, n_d = len(martin_days), len(durand_days)
    # Martin: QF 500 (repas 1,50 €, garderie 1,55 €); Durand: QF 1500 (3,90 €, 2,10 €)
    assert _quantities(martin, lea) == {
        ("Repas", 150): n_m,
        ("Garderie 16h30–18h30", 155): n_m,
    }
    assert _quantities(durand, lea) == {
        ("Repas", 390): n_d,
        ("Garderie 16h30–18h30", 210): n_d,
    }
    m = Invoice.get(Invoice.household == martin.id)
    d = Invoice.get(Invoice.household == durand.id)
    assert m.total_cents == n_m * (150 + 155)
    assert d.total_cents == n_d * (390 + 210)
    assert d.household_name == "Durand"

    # Both pay; each tax certificate counts the care its household paid (meals excluded)
    finance = staff_actor(town)
    invoicing.issue_month(finance, town.id, MONTH)
    for h in (martin, durand):
        inv = Invoice.get(Invoice.household == h.id)
        billing.record_offline_payment(finance, h.id, "cash", inv.total_cents, [inv.id])
    year = dt.date.today().year
    (m_line,) = tax_certificate(martin.id, year)
    (d_line,) = tax_certificate(durand.id, year)
    assert (m_line.child_name, m_line.amount_cents) == ("MARTIN Léa", n_m * 155)
    assert (d_line.child_name, d_line.amount_cents) == ("MARTIN Léa", n_d * 210)


def test_a_day_staff_booked_under_both_goes_to_the_household_they_named(app):
    town, martin, durand, lea, first, last, start = _two_homes("both")
    days = _school_days(first, last)[:2]
    back = dt.datetime.combine(first - dt.timedelta(days=10), dt.time(10), tzinfo=PARIS)
    approver = actor_of(f.staff(town, "approver"))
    repas = f.unit(town, REPAS).id
    staff_bookings.book_for_family(
        approver, lea.id, repas, days[0], "book", now=back, household_id=durand.id
    )
    staff_bookings.book_for_family(
        approver, lea.id, repas, days[1], "book", now=back, household_id=martin.id
    )
    decisions.sweep(now=back)
    invoicing.draft_month(town.id, MONTH)
    assert _quantities(durand, lea) == {("Repas", 390): 1}
    assert _quantities(martin, lea) == {("Repas", 150): 1}


def test_an_unplanned_presence_goes_to_the_days_household(app):
    import uuid

    from workflows import attendance
    from workflows.attendance import MarkSpec

    town, martin, durand, lea, first, last, start = _two_homes()
    days = _school_days(first, last)
    durand_day = next(d for d in days if ((d - start).days // 7) % 2 == 1)
    attendance.record(
        staff_actor(town, "approver"),
        town.id,
        f.unit(town, REPAS).id,
        durand_day,
        [
            MarkSpec(
                str(uuid.uuid4()),
                lea.id,
                "present",
                dt.datetime(2026, 1, 1, 12, tzinfo=PARIS),
                True,
            )
        ],
    )
    invoicing.draft_month(town.id, MONTH)
    assert _quantities(durand, lea) == {("Repas", 390): 1}  # no walk-in price: its QF tier
    assert not Invoice.select().where(Invoice.household == martin.id).exists()
