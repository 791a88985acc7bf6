"""A child's planning: every cell (unit, date) with its state and until when it can change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from models import Booking, Enrolment, Request, RequestLine, Unit

from .calendar import PARIS, days_between, format_deadline_fr
from .rules import RuleContext, UnitInfo

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
        }


def active_enrolments(child_id: int, start: dt.date, end: dt.date):
    """The child's active enrolments overlapping start..end."""
    return Enrolment.select().where(
        Enrolment.child == child_id,
        Enrolment.state == "active",
        Enrolment.start <= end,
        Enrolment.end >= start,
    )


def child_units(child_id: int, start: dt.date, end: dt.date) -> list[int]:
    """Units the child may book between start and end: those of the sites and services of
    their enrolments (one query)."""
    enrolled = active_enrolments(child_id, start, end).where(
        Enrolment.service == Unit.service, Enrolment.site == Unit.site
    )
    return [u for (u,) in Unit.select(Unit.id).where(fn.EXISTS(enrolled)).tuples()]


def usual_days(child_id: int, start: dt.date, end: dt.date) -> dict[tuple[int, int], str]:
    """(service id, site id) -> the enrolments' usual ISO weekdays, for the period."""
    out: dict[tuple[int, int], str] = {}
    for e in active_enrolments(child_id, start, end):
        key = (e.service_id, e.site_id)
        out[key] = "".join(sorted(set(out.get(key, "") + (e.usual_days or ""))))
    return out


def planning(child_id: int, start: dt.date, end: dt.date, now=None) -> list[Cell]:
    if end < start or (end - start).days > MAX_DAYS:
        raise ValueError("bad period")
    now = now or dt.datetime.now(PARIS)
    unit_ids = child_units(child_id, start, end)
    if not unit_ids:
        return []
    ctx = RuleContext.load(unit_ids, [child_id], now)
    bookings = {
        (u, d): (state, code, reason, rank)
        for u, d, state, code, reason, rank in Booking.select(
            Booking.unit,
            Booking.date,
            Booking.state,
            Booking.refusal_code,
            Booking.refusal_reason,
            Booking.rank,
        )
        .where(Booking.child == child_id, Booking.date.between(start, end))
        .tuples()
    }
    basket = {
        (u, d): a
        for u, d, a in RequestLine.select(RequestLine.unit, RequestLine.date, RequestLine.action)
        .join(Request)
        .where(
            Request.child == child_id,
            Request.state == "basket",
            RequestLine.date.between(start, end),
        )
        .tuples()
    }
    units = sorted(ctx.units.values(), key=lambda u: (u.position, u.id))
    cells = []
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
            if state in ("booked", "cancel_requested"):
                deadline = unit.cancel_deadline.for_day(day)
            else:
                deadline = unit.book_deadline.for_day(day)
            changeable = state in ("free", "booked") and now < deadline and not why
            if state == "free" and code:
                state = "refused"
                changeable = now < deadline and not why
            cells.append(
                Cell(
                    day,
                    unit,
                    state,
                    deadline,
                    changeable,
                    code,
                    reason,
                    rank,
                    basket.get((unit.id, day), ""),
                )
            )
    return cells
