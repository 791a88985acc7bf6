"""The demo's money and past: prices for every unit by quotient familial, the last two
months booked through the operations (a cancellation, a justified absence), both months
invoiced (one invoice paid online, one paid in part by cheque, one left to pay), online
enrolment open for the Wednesday leisure centre, and one request waiting for the approver.
Everything goes through the same operations as a click would, with the clock set back."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from models import Account, Child, Enrolment, Guardian, Household, Unit
from models.accounts import EnrolmentOffer
from models.billing import AbsenceJustification, Invoice, Price

from . import billing, bookings, decisions, invoicing, payments
from .accounts import actor_for
from .calendar import PARIS, unit_runs
from .pricing import month_bounds, previous_month

# Cents by quotient familial tier (qf_min, qf_max or None, cents); one flat price otherwise.
PRICES = {
    "REPAS": [(0, 600, 150), (601, 1200, 285), (1201, None, 390)],
    "PAI": [(0, 600, 90), (601, None, 140)],
    "GARDERIE MATIN": [(0, 800, 110), (801, None, 160)],
    "GARDERIE 16H30-18H30": [(0, 800, 155), (801, None, 210)],
    "MERCREDI REPAS": [(0, 600, 150), (601, None, 390)],
}
FLAT = [(0, 800, 600), (801, None, 950)]
BOOKED_UNITS = ("REPAS", "GARDERIE 16H30-18H30")  # what the past months' households booked
PAST_HOUSEHOLDS = 4  # Martin and the next three


def create_billing_demo(town, today: dt.date, admin: Account, config=None) -> None:
    d = town._demo
    _prices(town)
    months = [previous_month(previous_month(today)), previous_month(today)]
    households = list(
        Household.select().where(Household.town == town).order_by(Household.id)[:PAST_HOUSEHOLDS]
    )
    for month in months:
        first, last = month_bounds(month)
        first, last = max(first, d["start"]), min(last, today - dt.timedelta(days=1))
        if first <= last:
            _book_month(households, first, last)
    martin = households[0]
    lea, hugo = Child.select().where(Child.household == martin).order_by(Child.id)[:2]
    _cancel_and_excuse(d, martin, lea, hugo, months[-1], today, admin)
    finance = actor_for(admin)
    for month in months:
        invoicing.draft_month(town.id, month)
        invoicing.issue_month(finance, town.id, month, today=month_bounds(month)[1])
    older = Invoice.get_or_none(Invoice.household == martin, Invoice.month == months[0])
    if older is not None:
        _paid_online(martin, older, config)
    if len(households) > 1:
        cheque = Invoice.get_or_none(Invoice.household == households[1], Invoice.month == months[1])
        if cheque is not None and cheque.total_cents > 1:
            billing.record_offline_payment(
                finance,
                households[1].id,
                "cheque",
                cheque.total_cents // 2,
                [cheque.id],
                reference="Chèque n° 4 512 987",
            )
    EnrolmentOffer.create(service=d["wednesday"], site=d["leisure"], capacity=24)
    _pending_wednesday(d, martin, lea, today)


def _prices(town) -> None:
    units = Unit.select().join(Unit.service.rel_model).where(Unit.service.rel_model.town == town)
    Price.insert_many(
        [
            {
                "town": town.id,
                "unit": unit.id,
                "qf_min": qf_min,
                "qf_max": qf_max,
                "amount_cents": cents,
                "valid_from": dt.date(2020, 1, 1),
            }
            for unit in units
            for qf_min, qf_max, cents in PRICES.get(unit.code, FLAT)
        ]
    ).execute()


def _actor(household):
    account = Account.get_by_id(Guardian.get(Guardian.household == household).account_id)
    return actor_for(account)


def _book_month(households, first: dt.date, last: dt.date) -> None:
    """Each household books its children's usual days of first..last, ten days before."""
    back = dt.datetime.combine(first - dt.timedelta(days=10), dt.time(10, 0), tzinfo=PARIS)
    for h in households:
        specs = []
        for child in Child.select().where(Child.household == h):
            lines = []
            for enrolment in Enrolment.select().where(Enrolment.child == child):
                for unit in Unit.select().where(
                    Unit.service == enrolment.service_id,
                    Unit.site == enrolment.site_id,
                    Unit.code.in_(BOOKED_UNITS),
                ):
                    day = max(first, enrolment.start)
                    while day <= min(last, enrolment.end):
                        if str(day.isoweekday()) in enrolment.usual_days and unit_runs(
                            unit.weekdays, unit.holiday_unit, h.town.zone, day
                        ):
                            lines.append((unit.id, day, "book"))
                        day += dt.timedelta(days=1)
            if lines:
                specs.append(bookings.RequestSpec(child.id, lines))
        if specs:
            bookings.submit(_actor(h), specs, now=back)
    decisions.sweep(now=back)


def _cancel_and_excuse(d, martin, lea, hugo, month, today, admin) -> None:
    """Hugo's first meal of the month cancelled in time; Léa ill for two days (a medical
    certificate: not billed)."""
    first, last = month_bounds(month)
    repas = Unit.get(Unit.code == "REPAS", Unit.site == d["schools"][0])
    days = [
        d
        for d in (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        if d < today and unit_runs(repas.weekdays, repas.holiday_unit, martin.town.zone, d)
    ]
    if len(days) < 4:
        return
    back = dt.datetime.combine(days[0] - dt.timedelta(days=7), dt.time(10, 0), tzinfo=PARIS)
    try:
        bookings.submit(
            _actor(martin),
            [bookings.RequestSpec(hugo.id, [(repas.id, days[0], "cancel")])],
            now=back,
        )
        decisions.sweep(now=back)
    except bookings.RequestRefused:
        pass  # Hugo had not booked that day
    AbsenceJustification.create(
        child=lea,
        unit=None,
        start=days[2],
        end=days[3],
        reason="Maladie (certificat médical)",
        created_by=admin,
    )


def _paid_online(household, invoice: Invoice, config) -> None:
    """Through the dummy provider, as a parent's click and the bank's answer would."""
    if config is None or invoice.total_cents <= 0:
        return
    base = str(config["PUBLIC_URL"]).rstrip("/")
    payment, _ = payments.start_online(
        _actor(household),
        household.id,
        [invoice.id],
        return_url=f"{base}/paiement/retour",
        notify_url=f"{base}/paiement/notification/{household.town.slug}",
        simulator_url=f"{base}/paiement/simulateur",
        config=config,
    )
    amount = f"{payment.amount_cents // 100}.{payment.amount_cents % 100:02d}"
    payments.simulate(payment.transaction_id, amount, "accepted")
    payments.handle_notification(
        household.town_id, urlencode({"transaction_id": payment.transaction_id}), config
    )


def _pending_wednesday(d, martin, lea, today: dt.date) -> None:
    """Léa asks for a Wednesday at the leisure centre: decided by staff, it waits in the
    approver's worklist."""
    unit = Unit.get_or_none(Unit.code == "MERCREDI APRES-MIDI", Unit.site == d["leisure"])
    if unit is None:
        return
    day = today + dt.timedelta(days=9)
    for _ in range(60):
        if unit_runs(unit.weekdays, unit.holiday_unit, martin.town.zone, day):
            try:
                bookings.submit(
                    _actor(martin), [bookings.RequestSpec(lea.id, [(unit.id, day, "book")])]
                )
                return
            except bookings.RequestRefused:
                pass
        day += dt.timedelta(days=1)
