"""Attendance: for a unit and a day, the animator ticks each expected child present, absent
or absence justified, and adds a child who came without a booking (an unplanned presence).

Marks are sent from a tablet that may have been offline: each carries an id the browser
made and the moment it was ticked. One row per (child, unit, day) whatever was sent: an
upsert that keeps the latest tick, so a mark sent twice, or two tablets' marks arriving in
any order, end in the same row. Billing reads them (invoicing): a justified absence is not
billed, an unjustified one is (the booking holds), an unplanned presence is, at the unit's
walk-in price when the town sets one. Once the month is invoiced its marks are locked."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from peewee import EXCLUDED

from models import Booking, Child, Enrolment, Household, Service, Site, Unit, transaction
from models.billing import Invoice
from models.staff import ATTENDANCE_STATUSES, AttendanceMark, WalkInPrice

from . import audit
from .calendar import to_utc_naive
from .engine import Actor
from .kitchen import EXPECTED
from .pricing import format_euros

ROLES = frozenset({"animator", "approver", "admin"})
STATUS_FR = {"present": "Présent", "absent": "Absent", "justified": "Absence justifiée"}


class AttendanceError(ValueError):
    def __init__(self, code: str, message_fr: str) -> None:
        super().__init__(code)
        self.code, self.message_fr = code, message_fr


class MarkSpec(NamedTuple):
    mark_id: str
    child_id: int
    status: str
    marked_at: dt.datetime  # aware: when the animator ticked it
    unplanned: bool = False


class SheetRow(NamedTuple):
    child_id: int
    name: str
    class_name: str
    has_pai: bool
    planned: bool
    status: str | None


def town_unit(town_id: int, unit_id: int) -> Unit:
    unit = (
        Unit.select(Unit, Site)
        .join(Service, on=(Unit.service == Service.id))
        .switch(Unit)
        .join(Site, on=(Unit.site == Site.id))
        .where(Unit.id == unit_id, Service.town == town_id)
        .first()
    )
    if unit is None:
        raise AttendanceError("unknown_unit", "Prestation inconnue.")
    return unit


def is_locked(town_id: int, day: dt.date) -> bool:
    """Whether the month of `day` is invoiced (an invoice of the town issued for it)."""
    return (
        Invoice.select()
        .where(
            Invoice.town == town_id,
            Invoice.month == day.replace(day=1),
            Invoice.state != "draft",
        )
        .exists()
    )


def _expected_ids(unit_id: int, day: dt.date) -> set[int]:
    q = Booking.select(Booking.child).where(
        Booking.unit == unit_id, Booking.date == day, Booking.state.in_(EXPECTED)
    )
    return {c for (c,) in q.tuples()}


def sheet(town_id: int, unit_id: int, day: dt.date) -> list[SheetRow]:
    """The children expected on the unit that day (and those added), with their mark."""
    town_unit(town_id, unit_id)
    marks = {
        child: (status, unplanned)
        for child, status, unplanned in AttendanceMark.select(
            AttendanceMark.child, AttendanceMark.status, AttendanceMark.unplanned
        )
        .where(AttendanceMark.unit == unit_id, AttendanceMark.date == day)
        .tuples()
    }
    expected = _expected_ids(unit_id, day)
    ids = expected | {c for c, (_, unplanned) in marks.items() if unplanned}
    children = Child.select().where(Child.id.in_(list(ids))) if ids else []
    rows = [
        SheetRow(
            c.id,
            f"{c.last_name} {c.first_name}",
            c.class_name,
            c.has_pai,
            c.id in expected,
            marks.get(c.id, (None, False))[0],
        )
        for c in children
    ]
    return sorted(rows, key=lambda r: (not r.planned, r.class_name, r.name))


def addable(town_id: int, unit: Unit, day: dt.date) -> list[Child]:
    """Children of the town enrolled at the unit's site and service that day, not expected:
    those an animator may add as an unplanned presence."""
    expected = _expected_ids(unit.id, day)
    q = (
        Child.select()
        .join(Enrolment, on=(Enrolment.child == Child.id))
        .where(
            Enrolment.service == unit.service_id,
            Enrolment.site == unit.site_id,
            Enrolment.start <= day,
            Enrolment.end >= day,
            Enrolment.state == "active",
        )
        .order_by(Child.last_name, Child.first_name)
    )
    return [c for c in q if c.id not in expected]


def record(
    actor: Actor, town_id: int, unit_id: int, day: dt.date, specs: list[MarkSpec]
) -> dict[str, str]:
    """Keep `specs` (all or none): returns mark id -> the child's status now kept."""
    if not ROLES & actor.roles_on(None, town_id):
        raise AttendanceError("forbidden", "Le pointage est réservé aux animateurs de la ville.")
    unit = town_unit(town_id, unit_id)
    if not specs:
        return {}
    if is_locked(town_id, day):
        raise AttendanceError(
            "locked", "Ce mois est facturé : le pointage ne peut plus être modifié."
        )
    expected = _expected_ids(unit.id, day)
    added = {s.child_id for s in specs if s.unplanned and s.child_id not in expected}
    enrolled = {c.id for c in addable(town_id, unit, day)} if added else set()
    already = {
        c
        for (c,) in AttendanceMark.select(AttendanceMark.child)
        .where(
            AttendanceMark.unit == unit.id,
            AttendanceMark.date == day,
            AttendanceMark.unplanned == True,  # noqa: E712
        )
        .tuples()
    }
    for s in specs:
        if s.status not in ATTENDANCE_STATUSES or not (0 < len(s.mark_id) <= 64):
            raise AttendanceError("bad_mark", "Pointage illisible.")
        if s.child_id in expected:
            continue
        if s.child_id in already or (s.unplanned and s.child_id in enrolled):
            if s.status != "present" and s.child_id not in already:
                raise AttendanceError(
                    "bad_mark", "Un enfant ajouté sans réservation ne peut être que présent."
                )
            continue
        raise AttendanceError(
            "not_expected",
            "Cet enfant n'est pas attendu ce jour : ajoutez-le comme présence non prévue.",
        )
    with transaction():
        for s in specs:
            AttendanceMark.insert(
                town=town_id,
                child=s.child_id,
                unit=unit.id,
                date=day,
                status=s.status,
                unplanned=s.child_id not in expected,
                mark_id=s.mark_id,
                recorded_by=actor.account_id,
                recorded_at=to_utc_naive(s.marked_at),
            ).on_conflict(
                conflict_target=[AttendanceMark.child, AttendanceMark.unit, AttendanceMark.date],
                update={
                    AttendanceMark.status: EXCLUDED.status,
                    AttendanceMark.mark_id: EXCLUDED.mark_id,
                    AttendanceMark.recorded_by: EXCLUDED.recorded_by_id,
                    AttendanceMark.recorded_at: EXCLUDED.recorded_at,
                },
                # the latest tick wins, whatever order the tablets' marks arrive in
                where=(AttendanceMark.recorded_at < EXCLUDED.recorded_at),
            ).execute()
    kept = dict(
        AttendanceMark.select(AttendanceMark.child, AttendanceMark.status)
        .where(
            AttendanceMark.unit == unit.id,
            AttendanceMark.date == day,
            AttendanceMark.child.in_([s.child_id for s in specs]),
        )
        .tuples()
    )
    return {s.mark_id: kept[s.child_id] for s in specs}


# -- what billing reads -----------------------------------------------------------------------
def _marks(town_id: int, first: dt.date, last: dt.date):
    return AttendanceMark.select(
        AttendanceMark.child, AttendanceMark.unit, AttendanceMark.date
    ).where(AttendanceMark.town == town_id, AttendanceMark.date.between(first, last))


def justified(town_id: int, first: dt.date, last: dt.date) -> list[tuple[int, int, dt.date]]:
    """(child, unit, day) of the absences marked justified."""
    return list(_marks(town_id, first, last).where(AttendanceMark.status == "justified").tuples())


def unplanned_presences(town_id: int, first: dt.date, last: dt.date, child_ids=None):
    """(child, unit, day) of the children present without a booking."""
    q = _marks(town_id, first, last).where(
        AttendanceMark.unplanned == True,  # noqa: E712
        AttendanceMark.status == "present",
    )
    if child_ids is not None:
        q = q.where(AttendanceMark.child.in_(list(child_ids)))
    return list(q.tuples())


def unplanned_households(town_id: int, first: dt.date, last: dt.date) -> set[int]:
    q = (
        Child.select(Child.household)
        .join(Household, on=(Child.household == Household.id))
        .where(
            Child.id.in_(
                _marks(town_id, first, last)
                .where(AttendanceMark.unplanned == True, AttendanceMark.status == "present")  # noqa: E712
                .select(AttendanceMark.child)
            )
        )
    )
    return {h for (h,) in q.tuples()}


def walk_in_prices(town_id: int) -> dict[int, int]:
    return dict(
        WalkInPrice.select(WalkInPrice.unit, WalkInPrice.amount_cents)
        .join(Unit)
        .join(Service)
        .where(Service.town == town_id)
        .tuples()
    )


def set_walk_in_price(actor: Actor, town_id: int, unit_id: int, cents: int | None) -> None:
    """The price of an unplanned presence on a unit of the town (None: its usual price)."""
    if "finance" not in actor.roles_on(None, town_id):
        raise AttendanceError("forbidden", "Les tarifs sont réservés à la régie.")
    if cents is not None and cents < 0:
        raise AttendanceError("bad_price", "Montant illisible.")
    unit = town_unit(town_id, unit_id)
    with transaction():
        old = WalkInPrice.get_or_none(WalkInPrice.unit == unit_id)
        if (old.amount_cents if old else None) == cents:
            return
        WalkInPrice.delete().where(WalkInPrice.unit == unit_id).execute()
        if cents is not None:
            WalkInPrice.create(unit=unit_id, amount_cents=cents)
        audit.record_for(
            actor,
            town_id,
            "edit" if old and cents is not None else ("create" if cents is not None else "delete"),
            audit.KINDS["WalkInPrice"],
            None,
            {"montant": format_euros(old.amount_cents)} if old else None,
            {"montant": format_euros(cents)} if cents is not None else None,
            what=f"Tarif sans réservation – {unit.label}",
        )
