"""Staff write to households: those with a child at a site, on a unit (on a day), or in a
class. Each household gets the message in « Mes messages » and by e-mail (the outbox, sent
by the worker), all in one transaction; nothing is sent when no household matches."""

from __future__ import annotations

import datetime as dt

from models import (
    Account,
    Booking,
    Child,
    CustodyPattern,
    Enrolment,
    Household,
    Site,
    Town,
    Unit,
    transaction,
)
from models.staff import HouseholdMessage

from . import audit, outbox
from .calendar import format_date_fr
from .engine import Actor
from .kitchen import EXPECTED

ROLES = frozenset({"approver", "admin"})


class MessageError(ValueError):
    def __init__(self, code: str, message_fr: str) -> None:
        super().__init__(code)
        self.code, self.message_fr = code, message_fr


def recipients(
    town_id: int,
    site_id: int | None = None,
    unit_id: int | None = None,
    day: dt.date | None = None,
    class_name: str = "",
) -> set[int]:
    """Households of the town with a child matching every criterion given: enrolled at the
    site (on `day`, or today), booked on the unit (on `day`), in the class."""
    children = Child.select(Child.id).join(Household).where(Household.town == town_id)
    if class_name:
        children = children.where(Child.class_name == class_name)
    if site_id is not None:
        on = day or dt.date.today()
        children = children.where(
            Child.id.in_(
                Enrolment.select(Enrolment.child).where(
                    Enrolment.site == site_id,
                    Enrolment.state == "active",
                    Enrolment.start <= on,
                    Enrolment.end >= on,
                )
            )
        )
    if unit_id is not None:
        booked = Booking.select(Booking.child).where(
            Booking.unit == unit_id, Booking.state.in_(EXPECTED)
        )
        if day is not None:
            booked = booked.where(Booking.date == day)
        children = children.where(Child.id.in_(booked))
    elif day is not None and site_id is None:
        children = children.where(
            Child.id.in_(
                Booking.select(Booking.child).where(
                    Booking.date == day, Booking.state.in_(EXPECTED)
                )
            )
        )
    q = Child.select(Child.household).where(Child.id.in_(children)).distinct().tuples()
    # with the second homes of shared children (garde alternée): both parents are told
    second = (
        CustodyPattern.select(CustodyPattern.second_household)
        .where(CustodyPattern.child.in_(children))
        .distinct()
        .tuples()
    )
    return {h for (h,) in q} | {h for (h,) in second}


def audience_fr(site=None, unit=None, day=None, class_name="") -> str:
    parts = []
    if unit is not None:
        parts.append(f"{unit.site.name} – {unit.label}")
    elif site is not None:
        parts.append(site.name)
    if day is not None:
        parts.append(format_date_fr(day))
    if class_name:
        parts.append(f"classe {class_name}")
    return ", ".join(parts) or "tous les foyers"


def send(
    actor: Actor,
    town_id: int,
    subject: str,
    body: str,
    *,
    site_id: int | None = None,
    unit_id: int | None = None,
    day: dt.date | None = None,
    class_name: str = "",
) -> int:
    """Write the message to every household matching; returns how many."""
    if not ROLES & actor.roles_on(None, town_id):
        raise MessageError("forbidden", "Seuls les agents de la ville écrivent aux familles.")
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise MessageError("empty", "Le message a besoin d'un objet et d'un texte.")
    site = Site.get_or_none(Site.id == site_id, Site.town == town_id) if site_id else None
    unit = None
    if unit_id:
        unit = Unit.select(Unit, Site).join(Site).where(Unit.id == unit_id, Site.town == town_id)
        unit = unit.first()
    if (site_id and site is None) or (unit_id and unit is None):
        raise MessageError("unknown", "Structure ou prestation inconnue.")
    households = sorted(recipients(town_id, site_id, unit_id, day, class_name.strip()))
    if not households:
        raise MessageError("no_recipient", "Aucun foyer ne correspond à ces critères.")
    audience = audience_fr(site, unit, day, class_name.strip())
    to = outbox.addresses(households)
    town_name = Town.get_by_id(town_id).name
    with transaction():
        HouseholdMessage.insert_many(
            [
                {
                    "town": town_id,
                    "household": hid,
                    "subject": subject[:200],
                    "body": body,
                    "audience": audience[:250],
                    "sent_by": actor.account_id,
                }
                for hid in households
            ]
        ).execute()
        outbox.write_many(
            [
                outbox.Mail(
                    tuple(to[hid]),
                    subject[:200],
                    "staff_message",
                    {"body": body, "audience": audience, "town_name": town_name},
                )
                for hid in households
                if hid in to
            ]
        )
        audit.record(
            Account.get_or_none(Account.id == actor.account_id),
            town_id,
            "create",
            "Message aux familles",
            None,
            None,
            {"objet": subject[:200], "destinataires": audience, "foyers": str(len(households))},
        )
    return len(households)


def of_household(household_id: int):
    return (
        HouseholdMessage.select()
        .where(HouseholdMessage.household == household_id)
        .order_by(HouseholdMessage.created_at.desc(), HouseholdMessage.id.desc())
        .limit(100)
    )
