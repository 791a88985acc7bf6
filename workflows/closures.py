"""Closing days (strike, trip, bridge day): the closure, and the bookings it cancels."""

from __future__ import annotations

import datetime as dt

from models import Booking, Closure, Service, Unit, transaction

from . import family_notices
from .definitions import BOOKING
from .engine import Actor, Forbidden, WorkflowError, fire_many


def close_days(
    actor: Actor,
    town_id: int,
    start: dt.date,
    end: dt.date,
    reason: str,
    site_id: int | None = None,
    unit_id: int | None = None,
) -> tuple[Closure, int]:
    """Record a closure of the town (or of one site, or of one unit) and fire
    `cancel_by_town` on every booking it covers: those days are free again and nothing is
    billed. Returns the closure and the number of bookings cancelled. Each household
    concerned gets one e-mail."""
    if end < start:
        raise WorkflowError("the closure ends before it starts", code="bad_period")
    role = "system" if actor.is_system else "admin"
    if role not in actor.roles_on(None, town_id):
        raise Forbidden("only the town's admins close days", code="forbidden")
    units = Unit.select(Unit.id).join(Service).where(Service.town == town_id)
    if unit_id is not None:
        unit = units.select(Unit.id, Unit.site).where(Unit.id == unit_id).first()
        if unit is None:
            raise WorkflowError("not a unit of the town", code="unknown_unit")
        if site_id is not None and unit.site_id != site_id:
            raise WorkflowError("the unit is not on that site", code="unit_not_on_site")
        site_id = unit.site_id
        units = units.where(Unit.id == unit_id)
    if site_id is not None:
        units = units.where(Unit.site == site_id)
    with transaction():
        closure = Closure.create(
            town=town_id, site=site_id, unit=unit_id, start=start, end=end, reason=reason
        )
        moved = fire_many(
            BOOKING,
            "cancel_by_town",
            actor,
            role,
            Booking.unit.in_(units) & Booking.date.between(start, end),
            comment=reason or "fermeture",
        )
        family_notices.tell_closure([bid for bid, _ in moved], reason)
    return closure, len(moved)
