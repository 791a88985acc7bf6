"""What a unit is to the rules, read once: its settings and its town's calendar
(UnitInfo, unit_infos), the one reading of a deadline (`until`), and the town's closures.
The guards over them are workflows/rules.py."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from models import Closure, Service, Town, Unit

from .calendar import Deadline, closed_reason


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    label: str
    weekdays: str
    holiday_unit: bool
    approval_mode: str
    book_deadline: Deadline
    cancel_deadline: Deadline
    capacity: int | None
    waiting_list: bool
    site_id: int
    service_id: int
    town_id: int
    zone: str
    position: int
    exclusive_group: str = ""  # units of one group exclude each other on a day

    def closed_reason(self, day: dt.date) -> tuple[str, str] | None:
        """Why the unit does not run on `day` by the town's calendar (calendar.closed_reason)."""
        return closed_reason(self.weekdays, self.holiday_unit, self.zone, day)

    def deadline(self, action: str) -> Deadline:
        """The rule for a change: 'book' (also withdrawing a booking line) or 'cancel'."""
        return self.cancel_deadline if action == "cancel" else self.book_deadline


class Until(NamedTuple):
    """Until when a cell may be changed, and whether that moment is past."""

    at: dt.datetime  # aware, Europe/Paris
    passed: bool


def until(unit: UnitInfo, action: str, day: dt.date, now: dt.datetime) -> Until:
    """Until when `action` ('book' or 'cancel') of `day` may be asked for on `unit`, and
    whether that is past at `now`: the one reading of a deadline, for the guards, the
    planning, the basket and the request pages alike."""
    rule = unit.deadline(action)
    return Until(rule.for_day(day), not rule.is_met(day, now))


def action_for(booking_state: str) -> str:
    """The change a cell in `booking_state` is open to: cancelling what is booked (or whose
    cancellation is asked), booking anything else."""
    return "cancel" if booking_state in ("booked", "cancel_requested") else "book"


def unit_infos(unit_ids=None) -> dict[int, UnitInfo]:
    q = Unit.select(Unit, Service, Town).join(Service).join(Town).order_by(Unit.position, Unit.id)
    if unit_ids is not None:
        q = q.where(Unit.id.in_(list(unit_ids)))
    return {u.id: unit_info(u) for u in q}


# The unit columns a UnitInfo is made of, in the order `unit_info_of` takes them.
UNIT_FIELDS = (
    Unit.id,
    Unit.code,
    Unit.label,
    Unit.weekdays,
    Unit.holiday_unit,
    Unit.approval_mode,
    Unit.book_count,
    Unit.book_unit,
    Unit.book_cutoff,
    Unit.cancel_count,
    Unit.cancel_unit,
    Unit.cancel_cutoff,
    Unit.capacity,
    Unit.waiting_list,
    Unit.site,
    Unit.service,
    Unit.position,
    Unit.exclusive_group,
)


def unit_info_of(values, town_id: int, zone: str) -> UnitInfo:
    """A unit as the rules see it, from the values of UNIT_FIELDS and its town."""
    (uid, code, label, weekdays, holiday_unit, approval_mode, book_count, book_unit) = values[:8]
    (book_cutoff, cancel_count, cancel_unit, cancel_cutoff, capacity, waiting_list) = values[8:14]
    site_id, service_id, position = values[14:17]
    return UnitInfo(
        id=uid,
        code=code,
        label=label,
        weekdays=weekdays,
        holiday_unit=holiday_unit,
        approval_mode=approval_mode,
        book_deadline=Deadline(book_count, book_unit, book_cutoff),
        cancel_deadline=Deadline(cancel_count, cancel_unit, cancel_cutoff),
        capacity=capacity,
        waiting_list=waiting_list,
        site_id=site_id,
        service_id=service_id,
        town_id=town_id,
        zone=zone,
        position=position,
        exclusive_group=values[17] or "",
    )


def unit_info(u: Unit) -> UnitInfo:
    """A unit as the rules see it, from a Unit row joined to its Service and Town."""
    return unit_info_of(
        tuple(u.__data__.get(f.name) for f in UNIT_FIELDS), u.service.town_id, u.service.town.zone
    )


def load_closures(town_ids, start: dt.date | None = None, end: dt.date | None = None):
    """town id -> [(site id or None, unit id or None, first day, last day, reason)], those
    overlapping start..end when given."""
    closures = defaultdict(list)
    if not town_ids:
        return closures
    q = Closure.select(
        Closure.town, Closure.site, Closure.unit, Closure.start, Closure.end, Closure.reason
    )
    q = q.where(Closure.town.in_(list(town_ids)))
    if start is not None and end is not None:
        q = q.where(Closure.start <= end, Closure.end >= start)
    for town_id, site_id, unit_id, first, last, reason in q.tuples():
        closures[town_id].append((site_id, unit_id, first, last, reason))
    return closures
