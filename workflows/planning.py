"""A child's planning: every cell (unit, date) with its state and until when it can change."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from models import (
    Booking,
    Child,
    CustodyPattern,
    Enrolment,
    HotQuery,
    RequestLine,
    Service,
    Town,
    database,
)

from . import homes
from .calendar import PARIS, days_between, format_deadline_fr
from .definitions import BOOKING
from .rules import HELD_AT_SENDING, LineItem, RuleContext
from .units import UNIT_FIELDS, UnitInfo, action_for, load_closures, unit_info_of, until

# API states of a cell (shared/spec/WORKFLOWS.md).
CELL_STATES = ("closed", "free", "requested", "waiting", "booked", "cancel_requested", "refused")
MAX_DAYS = 400


@dataclass
class Cell:
    date: dt.date
    unit: UnitInfo
    state: str
    deadline: dt.datetime | None
    changeable: bool
    reason_code: str = ""
    reason: str = ""
    rank: int | None = None
    basket: str = ""  # action waiting in the basket for this cell: book, cancel or ""
    allowed: tuple[str, ...] = ()  # the booking transitions the parent may ask for now
    excluded_by: str = ""  # the unit of its exclusive group the child has (or has chosen)
    other_home: bool = False  # shared custody: the other household's day (or booking)

    @property
    def deadline_fr(self) -> str:
        return format_deadline_fr(self.deadline) if self.deadline else ""

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "unit": self.unit.code,
            "unit_id": self.unit.id,
            "state": self.state,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "changeable": self.changeable,
            "reason_code": self.reason_code or None,
            "reason": self.reason or None,
            "rank": self.rank,
            "basket": self.basket or None,
            "excluded_by": self.excluded_by or None,
            "other_home": self.other_home,
            "withdrawable": self.withdrawable,
        }

    @property
    def withdrawable(self) -> bool:
        """Whether the parent may take the cell back now (a pending request withdrawn, the
        waiting list left), by the same guard the workflow checks when they do."""
        return "withdraw" in self.allowed or "leave_waiting" in self.allowed


@dataclass
class ChildPlanning:
    cells: list[Cell]
    usual: dict[tuple[int, int], str]  # (service id, site id) -> usual ISO weekdays
    basket_count: int | None = None  # lines in the household's basket, when asked for


# The child, their enrolments overlapping the period and the units those give: one row per
# (enrolment, unit), or one row with no enrolment. Every planning starts here.
_ENROLLED_UNITS = HotQuery(
    (
        Child.household,
        Enrolment.id,
        Enrolment.service,
        Enrolment.site,
        Enrolment.start,
        Enrolment.end,
        Enrolment.usual_days,
        *UNIT_FIELDS,
        Service.town,
        Town.zone,
        CustodyPattern.id,
    ),
    'FROM "child" LEFT JOIN "enrolment" ON "enrolment"."child_id" = "child"."id"'
    ' AND "enrolment"."state" = \'active\' AND "enrolment"."start" <= %s'
    ' AND "enrolment"."end" >= %s'
    ' LEFT JOIN "unit" ON "unit"."service_id" = "enrolment"."service_id"'
    ' AND "unit"."site_id" = "enrolment"."site_id"'
    ' LEFT JOIN "service" ON "service"."id" = "unit"."service_id"'
    ' LEFT JOIN "town" ON "town"."id" = "service"."town_id"'
    # a shared child (garde alternée): its first custody pattern, one row whatever their number
    ' LEFT JOIN "custody_pattern" ON "custody_pattern"."id" = (SELECT MIN("id")'
    ' FROM "custody_pattern" WHERE "custody_pattern"."child_id" = "child"."id")'
    ' WHERE "child"."id" = %s',
)


@dataclass
class Enrolled:
    """What a child's enrolments over a period give: the units they may book (by position),
    the enrolments' periods as the rules read them, their usual days."""

    household_id: int
    units: dict[int, UnitInfo]
    periods: list[tuple[int, int, dt.date, dt.date]]  # (service, site, first day, last day)
    usual: dict[tuple[int, int], str]  # (service id, site id) -> usual ISO weekdays
    shared: bool = False  # a child shared by two homes (workflows.homes)


def enrolled(child_id: int, start: dt.date, end: dt.date) -> Enrolled | None:
    """The child's active enrolments overlapping start..end and the units of their sites
    and services, in one query; None when there is no such child."""
    rows = _ENROLLED_UNITS.rows(end, start, child_id)
    if not rows:
        return None
    units: dict[int, UnitInfo] = {}
    periods, usual, seen = [], {}, set()
    n = len(UNIT_FIELDS)
    for _, e_id, service_id, site_id, first, last, days, *unit, _shared in rows:
        if e_id is None:
            continue
        if e_id not in seen:
            seen.add(e_id)
            periods.append((service_id, site_id, first, last))
            key = (service_id, site_id)
            usual[key] = "".join(sorted(set(usual.get(key, "") + (days or ""))))
        if unit[0] is not None and unit[0] not in units:
            units[unit[0]] = unit_info_of(unit[:n], *unit[n:])
    ordered = dict(sorted(units.items(), key=lambda kv: (kv[1].position, kv[0])))
    return Enrolled(rows[0][0], ordered, periods, usual, rows[0][-1] is not None)


def child_planning(
    child_id: int,
    start: dt.date,
    end: dt.date,
    *,
    household_id: int | None = None,
    now=None,
    count_basket: bool = False,
    may_pass_deadline: bool = False,
) -> ChildPlanning | None:
    """Every cell of the child's planning from start to end, in four queries whatever the
    period (a shared child's patterns and bookings' households: two more). With
    `household_id`, None unless the child is of that household (or its second home). With
    `count_basket`, also the number of lines in the household's basket. With
    `may_pass_deadline` (staff acting for the family with the right), a day whose deadline
    has passed is still selectable, as the rules will let that staff member send it."""
    if end < start or (end - start).days > MAX_DAYS:
        raise ValueError("bad period")
    now = now or dt.datetime.now(PARIS)
    found = enrolled(child_id, start, end)
    if found is None:
        return None
    shared = homes.patterns_of([child_id]) if found.shared else {}
    asking = found.household_id if household_id is None else household_id
    if asking != found.household_id and not any(
        p.second == asking for p in shared.get(child_id, ())
    ):
        return None
    units = found.units
    closures = load_closures({u.town_id for u in units.values()}, start, end)
    ctx = RuleContext(units, {child_id: found.periods}, closures, now, may_pass_deadline)
    ctx.custody, ctx.child_household = shared, {child_id: asking}
    # A shared child's basket is read from the asking household's (never the other's).
    basket, count = _basket(child_id, start, end, asking if count_basket or shared else None)
    count = count if count_basket else None
    cells = _cells(ctx, child_id, start, end, now, basket) if units else []
    return ChildPlanning(cells, found.usual, count)


def planning(
    child_id: int, start: dt.date, end: dt.date, now=None, household_id: int | None = None
) -> list[Cell]:
    """The cells of a child's planning (see `child_planning`), as `household_id` sees them
    (a shared child's second home) or the child's own household."""
    found = child_planning(child_id, start, end, now=now, household_id=household_id)
    return found.cells if found else []


_BASKET_FIELDS = (RequestLine.child, RequestLine.unit, RequestLine.date, RequestLine.action)
_BASKET_FROM = (
    'FROM "request_line" JOIN "request" ON "request"."id" = "request_line"."request_id"'
    ' WHERE "request"."state" = \'basket\''
)
_CHILD_BASKET = HotQuery(
    _BASKET_FIELDS,
    _BASKET_FROM + ' AND "request"."child_id" = %s AND "request_line"."date" BETWEEN %s AND %s',
)
_HOUSEHOLD_BASKET = HotQuery(_BASKET_FIELDS, _BASKET_FROM + ' AND "request"."household_id" = %s')
_BOOKINGS = HotQuery(
    (
        Booking.unit,
        Booking.date,
        Booking.state,
        Booking.refusal_code,
        Booking.refusal_reason,
        Booking.rank,
    ),
    'FROM "booking" WHERE "booking"."child_id" = %s AND "booking"."date" BETWEEN %s AND %s',
)


def _basket(child_id, start, end, household_id) -> tuple[dict, int | None]:
    """(unit id, date) -> action of the child's basket lines in start..end; with
    `household_id`, the household's whole basket is read to count its lines too."""
    if household_id is None:
        rows = _CHILD_BASKET.rows(child_id, start, end)
    else:
        rows = _HOUSEHOLD_BASKET.rows(household_id)
    basket = {(u, d): a for c, u, d, a in rows if c == child_id and start <= d <= end}
    return basket, (len(rows) if household_id is not None else None)


PARENT = frozenset({"parent"})


def parent_may(ctx: RuleContext, child_id: int, unit: UnitInfo, day, state: str) -> tuple:
    """The booking transitions a parent may ask for now on a cell whose booking is in
    `state`: those the workflow gives the parent from that state (Workflow.available) whose
    guard lets them through (the open day, the deadline): the one reading of what a cell
    allows, for the page, the JSON it polls and the API."""
    item = LineItem(None, None, child_id, unit.id, day, action_for(state), None)
    return tuple(
        t.name
        for t in BOOKING.available(state, PARENT)
        if t.guard is None or t.guard(item, ctx) is None
    )


SELECTABLE = ("request", "ask_cancel")  # what the planning's selection asks for


def _cells(ctx: RuleContext, child_id: int, start, end, now, basket) -> list[Cell]:
    bookings = {
        (u, d): (state, code, reason, rank)
        for u, d, state, code, reason, rank in _BOOKINGS.rows(child_id, start, end)
    }
    units = list(ctx.units.values())  # in position order (see `enrolled`)
    # The exclusive groups' cells as the rules read them (RuleContext.excluded_by), from
    # the bookings just read and the basket's: a day chosen in one greys the others.
    chosen = {}
    for unit in units:
        if unit.exclusive_group:
            ctx.exclusive.setdefault((child_id, unit.exclusive_group), defaultdict(dict))
    for (u, d), (state, *_) in bookings.items():
        unit = ctx.units.get(u)
        if unit is not None and unit.exclusive_group:
            ctx.exclusive[(child_id, unit.exclusive_group)][d][u] = (unit.label, state)
    for (u, d), action in basket.items():
        unit = ctx.units.get(u)
        if unit is not None and unit.exclusive_group and action == "book":
            chosen[(unit.exclusive_group, d)] = unit
    cells = []
    shared = child_id in ctx.custody
    for day in days_between(start, end):
        for unit in units:
            why = ctx.open_code(child_id, unit, day)
            state, code, reason, rank = bookings.get((unit.id, day), ("free", "", "", None))
            if why and state == "free":
                code, detail = (
                    (ctx.closed_why(unit, day) or (why, "")) if why == "closed" else (why, "")
                )
                cells.append(Cell(day, unit, "closed", None, False, code, detail))
                continue
            deadline = until(unit, action_for(state), day, now).at
            allowed = () if why else parent_may(ctx, child_id, unit, day, state)
            excluded = ""
            if unit.exclusive_group and state == "free":
                other = chosen.get((unit.exclusive_group, day))
                if other is not None and other.id != unit.id:
                    excluded = other.label
                    allowed = tuple(t for t in allowed if t != "request")
                else:
                    excluded = ctx.excluded_by(child_id, unit, day, HELD_AT_SENDING) or ""
            cell_state = "refused" if state == "free" and code else state
            other_home = bool(
                shared
                and ctx.home_code(
                    LineItem(None, None, child_id, unit.id, day, action_for(state), None),
                    action_for(state),
                )
            )
            if other_home:
                allowed = ()  # the other household's day: nothing to ask for here
                if cell_state == "refused":  # its refusal is its own business
                    cell_state, code, reason = "free", "", ""
            cells.append(
                Cell(
                    day,
                    unit,
                    cell_state,
                    deadline,
                    any(t in SELECTABLE for t in allowed),
                    code,
                    reason,
                    rank,
                    basket.get((unit.id, day), ""),
                    allowed,
                    excluded,
                    other_home,
                )
            )
    return cells


# What a planning's cells are made of, in one cheap query: the child's bookings of the
# period, the household's basket, the town's closures and the child's enrolments, each as a
# count and a latest change. The cells also change when a deadline passes: the hour is part
# of the version (deadlines fall on the hour or the half hour: see `version`).
_VERSION = (
    'SELECT (SELECT COUNT(*) FROM "booking" WHERE "child_id" = %s AND "date" BETWEEN %s AND %s),'
    ' (SELECT MAX("updated_at") FROM "booking" WHERE "child_id" = %s'
    ' AND "date" BETWEEN %s AND %s),'
    ' (SELECT COUNT(*) FROM "request_line" JOIN "request" ON "request"."id" = "request_id"'
    ' WHERE "request"."household_id" = %s AND "request"."state" = \'basket\'),'
    ' (SELECT MAX("request_line"."id") FROM "request_line" JOIN "request"'
    ' ON "request"."id" = "request_id" WHERE "request"."household_id" = %s'
    ' AND "request"."state" = \'basket\'),'
    ' (SELECT COUNT(*) FROM "closure" WHERE "town_id" = (SELECT "town_id" FROM "household"'
    ' WHERE "id" = %s)),'
    ' (SELECT MAX("id") FROM "closure" WHERE "town_id" = (SELECT "town_id" FROM "household"'
    ' WHERE "id" = %s)),'
    ' (SELECT COUNT(*) FROM "enrolment" WHERE "child_id" = %s AND "state" = \'active\'),'
    ' (SELECT MAX("id") FROM "enrolment" WHERE "child_id" = %s AND "state" = \'active\')'
)


def version(child_id: int, household_id: int, start: dt.date, end: dt.date, now=None) -> str:
    """A short tag that changes whenever the child's planning of start..end could: a poll
    that sends back the tag it has is told "nothing changed" (HTTP 304) for the price of
    this one query, instead of the planning's cells being worked out again."""
    now = now or dt.datetime.now(PARIS)
    sql = _VERSION if database.obj.param == "%s" else _VERSION.replace("%s", "?")
    row = database.execute_sql(
        sql,
        (child_id, start, end, child_id, start, end, household_id, household_id)
        + (household_id, household_id, child_id, child_id),
    ).fetchone()
    # Deadlines fall on the hour or the half hour; so does the tag's own clock.
    clock = now.astimezone(PARIS).strftime("%Y%m%d%H") + ("b" if now.minute >= 30 else "a")
    raw = "|".join(str(v) for v in (child_id, start, end, *row, clock))
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
