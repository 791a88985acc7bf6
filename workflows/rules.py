"""The booking rules (open day, enrolment, deadline, capacity) as guards over a context
loaded in bulk, so the same functions serve one click and a batch of a million lines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from peewee import fn

from models import (
    Booking,
    Child,
    Enrolment,
    Request,
    RequestLine,
    Unit,
    is_postgres,
)

from . import custody, homes
from .calendar import (
    PARIS,
    UTC,
    format_deadline_en,
    format_deadline_fr,
)
from .french import VERBS
from .school_years import spans, year_in
from .units import UnitInfo, load_closures, unit_infos, until


class LineItem(NamedTuple):
    """A line as the guards see it (a request line, or a cell a parent selected)."""

    id: int | None
    request_id: int | None
    child_id: int
    unit_id: int
    date: dt.date
    action: str
    sent_at: dt.datetime | None  # aware


class RuleContext:
    """What the guards need, loaded once for a set of lines: units, enrolments, closures,
    the current time, and (for acceptance) the places left per unit and day."""

    def __init__(
        self,
        units: dict[int, UnitInfo],
        enrolments: dict[int, list[tuple[int, int, dt.date, dt.date]]],
        closures: dict[int, list[tuple[int | None, dt.date, dt.date, str]]],
        now: dt.datetime,
        may_pass_deadline: bool = False,
    ) -> None:
        self.units = units
        self.enrolments = enrolments
        self.closures = closures
        self.now = now
        self.may_pass_deadline = may_pass_deadline
        self.places_left: dict[tuple[int, dt.date], int] = {}
        # Answers that only depend on the data above, kept for the life of the context: a
        # batch of thousands of lines asks about the same few (unit, day) cells, (child,
        # unit) pairs and deadlines again and again.
        self._open: dict[tuple[int, dt.date], bool] = {}
        self._spans: dict[tuple[int, int], list[tuple[dt.date, dt.date]]] = {}
        # (child id, exclusive group) -> {day: {unit id: (label, booking state)}}
        self.exclusive: dict[tuple[int, str], dict] = {}
        self._names: dict[int, str] = {}
        self._years: dict[int, list[tuple[dt.date, dt.date]]] = {}  # town id -> its years
        # Shared custody (workflows.homes): child id -> its successive patterns (shared
        # children only); child id -> the household asking, for lines not sent yet (the
        # planning, the basket); request id -> its household; the bookings' households.
        self.custody: dict[int, list[custody.Custody]] = {}
        self.child_household: dict[int, int] = {}
        self._request_household: dict[int, int] = {}
        self._owners: dict[int, dict[tuple[int, dt.date], int]] = {}

    @classmethod
    def load(cls, unit_ids, child_ids, now=None, may_pass_deadline=False) -> RuleContext:
        units = unit_infos(unit_ids)
        enrolments = defaultdict(list)
        child_ids = list(child_ids)
        for i in range(0, len(child_ids), 5000):
            rows = (
                Enrolment.select(
                    Enrolment.child,
                    Enrolment.service,
                    Enrolment.site,
                    Enrolment.start,
                    Enrolment.end,
                )
                .where(Enrolment.child.in_(child_ids[i : i + 5000]), Enrolment.state == "active")
                .tuples()
            )
            for child_id, service_id, site_id, start, end in rows:
                enrolments[child_id].append((service_id, site_id, start, end))
        closures = load_closures({u.town_id for u in units.values()})
        ctx = cls(units, enrolments, closures, now or dt.datetime.now(PARIS), may_pass_deadline)
        ctx.custody = homes.patterns_of(child_ids) if child_ids else {}
        return ctx

    # -- shared custody ----------------------------------------------------------------
    def household_of(self, item) -> int | None:
        """The household asking for `item`: its request's, or the one the caller named."""
        household = getattr(item, "household_id", None)
        if household is not None:
            return household
        request_id = getattr(item, "request_id", None)
        line_id = getattr(item, "line_id", None)
        if request_id is None and line_id:
            request_id = (
                RequestLine.select(RequestLine.request).where(RequestLine.id == line_id).scalar()
            )
        if request_id is None:
            return self.child_household.get(item.child_id)
        if request_id not in self._request_household:
            self._request_household[request_id] = (
                Request.select(Request.household).where(Request.id == request_id).scalar()
            )
        return self._request_household[request_id]

    def booking_household(self, child_id: int, unit_id: int, day: dt.date) -> int | None:
        """The household whose request made the child's booking of (unit, day), if any."""
        owners = self._owners.get(child_id)
        if owners is None:
            owners = self._owners[child_id] = {
                (u, d): h
                for (_, u, d), h in homes.booking_households(
                    [child_id], dt.date.min, dt.date.max
                ).items()
            }
        return owners.get((unit_id, day))

    def home_code(self, item, action: str) -> str | None:
        """Shared custody, the one reading for the planning, the sending and the validator:
        None when the household asking may book (cancel) the child's day, else why not.
        A household books only on its own days (or any day under 'both'); a booking is
        cancelled by the household that made it, whatever the pattern says since."""
        patterns = self.custody.get(item.child_id)
        if not patterns:
            return None
        household = self.household_of(item)
        if household is None:
            return None
        if action == "cancel":
            owner = self.booking_household(item.child_id, item.unit_id, item.date)
            if owner is not None:
                return None if owner == household else "other_household_booking"
        return None if custody.may_book(patterns, household, item.date) else "other_home"

    # -- the rules ---------------------------------------------------------------------
    def closure_reason(self, unit: UnitInfo, day: dt.date) -> str | None:
        """The reason of the town's closure covering this unit (the whole town, its site, or
        the unit itself) on `day`, if any."""
        for site_id, unit_id, start, end, reason in self.closures.get(unit.town_id, ()):
            if (
                start <= day <= end
                and (site_id is None or site_id == unit.site_id)
                and (unit_id is None or unit_id == unit.id)
            ):
                return reason
        return None

    def in_school_year(self, unit: UnitInfo, day: dt.date) -> bool:
        """Whether `day` is in a school year of the unit's town (school_years.year_in);
        a holiday unit runs between the years too."""
        if unit.holiday_unit:
            return True
        years = self._years.get(unit.town_id)
        if years is None:
            years = self._years[unit.town_id] = spans(unit.town_id)
        return year_in(years, day) is not None

    def closed_why(self, unit: UnitInfo, day: dt.date) -> tuple[str, str] | None:
        """None when the unit runs on `day`, else why not, as (code, detail): the calendar's
        reasons (calendar.closed_reason), outside_school_year (a term-time unit outside the
        town's school years), or closure (the town's reason)."""
        why = unit.closed_reason(day)
        if why is not None:
            return why
        if not self.in_school_year(unit, day):
            return ("outside_school_year", "")
        reason = self.closure_reason(unit, day)
        return None if reason is None else ("closure", reason)

    def is_enrolled(self, child_id: int, unit: UnitInfo, day: dt.date) -> bool:
        key = (child_id, unit.id)
        spans = self._spans.get(key)
        if spans is None:
            spans = self._spans[key] = [
                (start, end)
                for service_id, site_id, start, end in self.enrolments.get(child_id, ())
                if service_id == unit.service_id and site_id == unit.site_id
            ]
        for start, end in spans:
            if start <= day <= end:
                return True
        return False

    def open_code(self, child_id: int, unit: UnitInfo | None, day: dt.date) -> str | None:
        """None when the cell is open, else why not ('unknown_unit', 'closed', 'not_enrolled')."""
        if unit is None:
            return "unknown_unit"
        key = (unit.id, day)
        is_open = self._open.get(key)
        if is_open is None:
            is_open = self._open[key] = self.closed_why(unit, day) is None
        if not is_open:
            return "closed"
        if not self.is_enrolled(child_id, unit, day):
            return "not_enrolled"
        return None

    def on_time(self, unit: UnitInfo, action: str, day: dt.date, at: dt.datetime) -> bool:
        """Whether `action` ('book' or 'cancel') of `day` made at `at` meets the unit's
        deadline (Deadline.is_met)."""
        return unit.deadline(action).is_met(day, at)

    def take_place(self, unit: UnitInfo, day: dt.date) -> bool:
        if unit.capacity is None:
            return True
        key = (unit.id, day)
        if key not in self.places_left:
            self.load_places([key])
        if self.places_left[key] <= 0:
            return False
        self.places_left[key] -= 1
        return True

    def load_places(self, keys) -> None:
        """Count the places taken (booked, or booked with a cancellation pending) of
        (unit, day) pairs. On PostgreSQL the units are locked first, so two workers never
        both hand out the last place."""
        keys = [k for k in set(keys) if k not in self.places_left]
        unit_ids = sorted({u for u, _ in keys})
        if not unit_ids:
            return
        if is_postgres():
            list(Unit.select(Unit.id).where(Unit.id.in_(unit_ids)).order_by(Unit.id).for_update())
        days = sorted({d for _, d in keys})
        counts = dict(
            ((u, d), n)
            for u, d, n in Booking.select(Booking.unit, Booking.date, fn.COUNT(Booking.id))
            .where(
                Booking.unit.in_(unit_ids),
                Booking.date.between(days[0], days[-1]),
                # a pending cancellation still holds its place: it may be refused
                Booking.state.in_(["booked", "cancel_requested"]),
            )
            .group_by(Booking.unit, Booking.date)
            .tuples()
        )
        for key in keys:
            self.places_left[key] = self.units[key[0]].capacity - counts.get(key, 0)

    def _exclusive_cells(self, child_id: int, group: str) -> dict:
        """The child's bookings on the units of an exclusive group, loaded once per child
        and group: {day: {unit id: (label, state)}}."""
        key = (child_id, group)
        cells = self.exclusive.get(key)
        if cells is None:
            cells = self.exclusive[key] = defaultdict(dict)
            rows = (
                Booking.select(Booking.date, Booking.unit, Unit.label, Booking.state)
                .join(Unit)
                .where(Booking.child == child_id, Unit.exclusive_group == group)
                .tuples()
            )
            for day, unit_id, label, state in rows:
                cells[day][unit_id] = (label, state)
        return cells

    def excluded_by(self, child_id: int, unit: UnitInfo, day: dt.date, held) -> str | None:
        """The label of another unit of `unit`'s exclusive group the child holds on `day`
        (its booking in one of the states `held`), or None: a child has one of them."""
        if not unit.exclusive_group:
            return None
        cells = self._exclusive_cells(child_id, unit.exclusive_group).get(day, {})
        for unit_id, (label, state) in cells.items():
            if unit_id != unit.id and state in held:
                return label
        return None

    def hold_exclusive(self, child_id: int, unit: UnitInfo, day: dt.date, state: str) -> None:
        """Remember that the child now holds `unit` on `day` (a line of the same batch)."""
        if unit.exclusive_group:
            cells = self._exclusive_cells(child_id, unit.exclusive_group)
            cells[day][unit.id] = (unit.label, state)

    def child_name(self, child_id: int) -> str:
        if child_id not in self._names:
            name = Child.select(Child.first_name).where(Child.id == child_id).scalar()
            self._names[child_id] = name or "L'enfant"
        return self._names[child_id]

    def reason_params(self, item: LineItem, code: str) -> dict:
        unit = self.units.get(item.unit_id)
        if code == "exclusive" and unit is not None:
            other = self.excluded_by(item.child_id, unit, item.date, HELD_AT_SENDING) or ""
            other = other[:1].lower() + other[1:]  # "Repas PAI" -> "un repas PAI"
            return {"child": self.child_name(item.child_id), "other": other}
        if code != "late" or unit is None:
            return {}
        deadline = until(unit, item.action, item.date, self.now).at
        return {
            "verb": VERBS.get(item.action, "faire la demande"),
            "deadline": format_deadline_fr(deadline),
            "deadline_iso": format_deadline_en(deadline),
        }


# The states in which a child holds a unit of an exclusive group: at sending, anything
# asked for or booked; at acceptance, what is booked (two lines sent at the same moment:
# the first accepted wins, see hold_exclusive).
HELD_AT_SENDING = frozenset({"requested", "waiting", "booked", "cancel_requested"})
HELD_AT_ACCEPT = frozenset({"booked", "cancel_requested"})


def _sent_at(item: LineItem, ctx: RuleContext) -> dt.datetime:
    sent_at = getattr(item, "sent_at", None)
    if sent_at is None and getattr(item, "line_id", None):
        # A Booking fired on its own (engine.fire): judge by when its line was sent.
        sent_at = aware(
            RequestLine.select(RequestLine.sent_at).where(RequestLine.id == item.line_id).scalar()
        )
    return sent_at or ctx.now


# -- guards of the booking workflow ------------------------------------------------------
def guard_request(item: LineItem, ctx: RuleContext) -> str | None:
    unit = ctx.units.get(item.unit_id)
    code = ctx.open_code(item.child_id, unit, item.date)
    if code:
        return code
    if not ctx.may_pass_deadline and not ctx.on_time(unit, "book", item.date, ctx.now):
        return "late"
    if ctx.excluded_by(item.child_id, unit, item.date, HELD_AT_SENDING):
        return "exclusive"
    return ctx.home_code(item, "book")


def guard_accept(item: LineItem, ctx: RuleContext) -> str | None:
    unit = ctx.units.get(item.unit_id)
    code = ctx.open_code(item.child_id, unit, item.date)
    if code:
        return code
    if not ctx.may_pass_deadline and not ctx.on_time(unit, "book", item.date, _sent_at(item, ctx)):
        return "late"
    if ctx.excluded_by(item.child_id, unit, item.date, HELD_AT_ACCEPT):
        return "exclusive"
    code = ctx.home_code(item, "book")
    if code:
        return code
    if not ctx.take_place(unit, item.date):
        return "full"
    ctx.hold_exclusive(item.child_id, unit, item.date, "booked")
    return None


def guard_admit(item: LineItem, ctx: RuleContext) -> str | None:
    unit = ctx.units.get(item.unit_id)
    return None if ctx.take_place(unit, item.date) else "full"


def guard_ask_cancel(item: LineItem, ctx: RuleContext) -> str | None:
    unit = ctx.units.get(item.unit_id)
    if unit is None:
        return "unknown_unit"
    if not ctx.may_pass_deadline and not ctx.on_time(unit, "cancel", item.date, ctx.now):
        return "late"
    return ctx.home_code(item, "cancel")


def guard_confirm_cancel(item: LineItem, ctx: RuleContext) -> str | None:
    unit = ctx.units.get(item.unit_id)
    if unit is None:
        return "unknown_unit"
    if not ctx.may_pass_deadline and not ctx.on_time(
        unit, "cancel", item.date, _sent_at(item, ctx)
    ):
        return "late"
    return ctx.home_code(item, "cancel")


def guard_withdraw(item, ctx: RuleContext) -> str | None:
    unit = ctx.units.get(item.unit_id)
    if unit is None:
        return "unknown_unit"
    return None if ctx.on_time(unit, "book", item.date, ctx.now) else "late"


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None
