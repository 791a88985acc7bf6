"""E-mails that tell households what the town changed for them: a closure that cancelled
their bookings, a place on a waiting list that came free (a booking's or an enrolment's),
a payment recorded by staff, a credit note. One e-mail per household,
written to the outbox in the caller's transaction (what it tells commits with it)."""

from __future__ import annotations

from peewee import JOIN, fn

from models import Booking, Child, Household, Request, RequestLine, Town, Unit, among
from models.catalogue import Enrolment, Service, Site

from . import outbox
from .calendar import format_date_fr
from .pricing import format_euros


def _by_household(booking_ids) -> dict[int, dict]:
    """household id -> {town, children: [(first name, [(day, unit label)])]}, in order. A
    booking is told to the household whose request made it (a shared child's other home is
    not told of it), else to the child's household."""
    home = fn.COALESCE(Request.household, Child.household)
    rows = (
        Booking.select(home, Town.name, Child.id, Child.first_name, Booking.date, Unit.label)
        .join(Child, on=(Booking.child == Child.id))
        .join(Household, on=(Child.household == Household.id))
        .join(Town, on=(Household.town == Town.id))
        .switch(Booking)
        .join(Unit, on=(Booking.unit == Unit.id))
        .switch(Booking)
        .join(RequestLine, JOIN.LEFT_OUTER, on=(Booking.line == RequestLine.id))
        .join(Request, JOIN.LEFT_OUTER, on=(RequestLine.request == Request.id))
        .where(among(Booking.id, booking_ids))
        .order_by(home, Child.first_name, Child.id, Booking.date, Unit.position)
        .tuples()
    )
    out: dict[int, dict] = {}
    for household_id, town, child_id, first, day, label in rows:
        h = out.setdefault(household_id, {"town_name": town, "children": {}})
        h["children"].setdefault((first, child_id), []).append(
            {"day": format_date_fr(day), "unit": label}
        )
    for h in out.values():
        h["children"] = [{"name": n, "days": d} for (n, _), d in h["children"].items()]
    return out


def _mails(booking_ids, subject: str, template: str, **values) -> list[outbox.Mail]:
    booking_ids = list(booking_ids)
    if not booking_ids:
        return []
    households = _by_household(booking_ids)
    to = outbox.addresses(households)
    return [
        outbox.Mail(tuple(to[hid]), subject, template, {**h, **values})
        for hid, h in households.items()
        if to[hid]
    ]


def tell_closure(booking_ids, reason: str) -> int:
    """One e-mail per household whose bookings a closure cancelled: the children, the days
    and the town's message."""
    return outbox.write_many(
        _mails(booking_ids, "Fermeture : réservations annulées", "closure_cancelled", reason=reason)
    )


def tell_admitted(booking_ids) -> int:
    """One e-mail per household admitted from a waiting list."""
    return outbox.write_many(
        _mails(booking_ids, "Une place s'est libérée : réservation acceptée", "waiting_admitted")
    )


def tell_enrolments_admitted(enrolment_ids) -> int:
    """One e-mail per household whose waiting enrolment requests were admitted."""
    enrolment_ids = list(enrolment_ids)
    if not enrolment_ids:
        return 0
    rows = (
        Enrolment.select(
            Child.household,
            Town.name,
            Child.first_name,
            Service.name,
            Site.name,
            Enrolment.start,
            Enrolment.end,
        )
        .join(Child, on=(Enrolment.child == Child.id))
        .join(Household, on=(Child.household == Household.id))
        .join(Town, on=(Household.town == Town.id))
        .switch(Enrolment)
        .join(Service, on=(Enrolment.service == Service.id))
        .switch(Enrolment)
        .join(Site, on=(Enrolment.site == Site.id))
        .where(among(Enrolment.id, enrolment_ids))
        .order_by(Child.household, Child.first_name, Enrolment.id)
        .tuples()
    )
    households: dict[int, dict] = {}
    for hid, town, first, service, site, start, end in rows:
        h = households.setdefault(hid, {"town_name": town, "enrolments": []})
        h["enrolments"].append(
            {
                "child": first,
                "service": service,
                "site": site,
                "start": start.strftime("%d/%m/%Y"),
                "end": end.strftime("%d/%m/%Y"),
            }
        )
    to = outbox.addresses(households)
    return outbox.write_many(
        [
            outbox.Mail(
                tuple(to[hid]),
                "Une place s'est libérée : inscription acceptée",
                "enrolment_admitted",
                h,
            )
            for hid, h in households.items()
            if to[hid]
        ]
    )


def _money_mail(household_id: int, subject: str, template: str, **values) -> int:
    to = outbox.addresses([household_id]).get(household_id, [])
    town = Town.select(Town.name).join(Household).where(Household.id == household_id).scalar()
    return outbox.write_many(
        [outbox.Mail(tuple(to), subject, template, {**values, "town_name": town})]
    )


def tell_payment(household_id: int, method_fr: str, amount_cents: int, reference: str) -> int:
    """The household's receipt of a payment staff recorded (cash, cheque, transfer…)."""
    return _money_mail(
        household_id,
        "Règlement enregistré",
        "payment_recorded",
        method=method_fr,
        amount=format_euros(amount_cents),
        reference=reference,
    )


def tell_credit(
    household_id: int, number: str, invoice_number: str, amount_cents: int, reason: str
) -> int:
    return _money_mail(
        household_id,
        f"Avoir n° {number}",
        "credit_note",
        number=number,
        invoice=invoice_number,
        amount=format_euros(amount_cents),
        reason=reason,
    )
