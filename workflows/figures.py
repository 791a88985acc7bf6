"""The month's figures per site and unit: days booked, meals served, occupancy, no-shows
(unjustified absences), late cancellations refused, and the town's outstanding balance.
Aggregates only (one GROUP BY per figure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import fn

from models import Booking, RequestLine, Service, Site, Unit
from models.billing import Invoice
from models.staff import AttendanceMark

from .calendar import days_between
from .pricing import is_meal, month_bounds
from .units import unit_infos

OPEN_INVOICES = ("issued", "partly_paid")


@dataclass
class UnitFigures:
    unit_id: int
    site: str
    label: str
    code: str
    booked: int = 0
    absent: int = 0
    justified: int = 0
    unplanned: int = 0
    late_cancellations: int = 0
    capacity_days: int | None = None  # places × open days, when the unit has a capacity

    @property
    def served(self) -> int:
        return self.booked - self.absent - self.justified + self.unplanned

    @property
    def occupancy(self) -> float | None:
        return self.booked / self.capacity_days if self.capacity_days else None

    @property
    def no_show_rate(self) -> float | None:
        return self.absent / self.booked if self.booked else None

    @property
    def is_meal(self) -> bool:
        return is_meal(self.code)


def month_figures(town_id: int, month: dt.date, site_id: int | None = None) -> list[UnitFigures]:
    first, last = month_bounds(month)
    units_q = (
        Unit.select(Unit.id, Unit.label, Unit.code, Site.name)
        .join(Service, on=(Unit.service == Service.id))
        .switch(Unit)
        .join(Site, on=(Unit.site == Site.id))
        .where(Service.town == town_id)
        .order_by(Site.name, Unit.position)
    )
    if site_id is not None:
        units_q = units_q.where(Unit.site == site_id)
    out = {uid: UnitFigures(uid, site, label, code) for uid, label, code, site in units_q.tuples()}
    if not out:
        return []
    ids = list(out)
    for uid, n in (
        Booking.select(Booking.unit, fn.COUNT(Booking.id))
        .where(Booking.unit.in_(ids), Booking.date.between(first, last), Booking.state == "booked")
        .group_by(Booking.unit)
        .tuples()
    ):
        out[uid].booked = n
    for uid, status, unplanned, n in (
        AttendanceMark.select(
            AttendanceMark.unit,
            AttendanceMark.status,
            AttendanceMark.unplanned,
            fn.COUNT(AttendanceMark.id),
        )
        .where(AttendanceMark.unit.in_(ids), AttendanceMark.date.between(first, last))
        .group_by(AttendanceMark.unit, AttendanceMark.status, AttendanceMark.unplanned)
        .tuples()
    ):
        if unplanned and status == "present":
            out[uid].unplanned += n
        elif not unplanned and status in ("absent", "justified"):
            setattr(out[uid], status, getattr(out[uid], status) + n)
    for uid, n in (
        RequestLine.select(RequestLine.unit, fn.COUNT(RequestLine.id))
        .where(
            RequestLine.unit.in_(ids),
            RequestLine.date.between(first, last),
            RequestLine.action == "cancel",
            RequestLine.state == "refused",
            RequestLine.reason_code == "late",
        )
        .group_by(RequestLine.unit)
        .tuples()
    ):
        out[uid].late_cancellations = n
    for unit in unit_infos(ids).values():
        if unit.capacity:
            days = sum(1 for d in days_between(first, last) if unit.closed_reason(d) is None)
            out[unit.id].capacity_days = unit.capacity * days
    return list(out.values())


def outstanding_cents(town_id: int) -> int:
    due = Invoice.total_cents - Invoice.paid_cents - Invoice.credited_cents
    return (
        Invoice.select(fn.COALESCE(fn.SUM(due), 0))
        .where(Invoice.town == town_id, Invoice.state.in_(OPEN_INVOICES))
        .scalar()
    )
