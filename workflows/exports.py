"""Exports of the staff's lists (bookings, attendance, invoices, payments, households) as
rows with a French header, for CSV and XLSX (openpyxl): each kind one set-based query,
filtered by period (and site where it has one), limited to the town."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from models import Booking, Child, Guardian, Household, Service, Site, Unit
from models.billing import PAYMENT_METHODS, Invoice, Payment
from models.staff import AttendanceMark

from . import words
from .attendance import STATUS_FR
from .calendar import PARIS, from_utc_naive

MAX_ROWS = 200_000


class Export(NamedTuple):
    header: tuple[str, ...]
    rows: list[tuple]


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def _units(town_id: int, site_id: int | None):
    q = Unit.select(Unit.id).join(Service).where(Service.town == town_id)
    return q.where(Unit.site == site_id) if site_id else q


def bookings(town_id: int, start: dt.date, end: dt.date, site_id: int | None = None) -> Export:
    q = (
        Booking.select(
            Booking.date,
            Site.name,
            Unit.label,
            Household.name,
            Child.last_name,
            Child.first_name,
            Child.class_name,
            Booking.state,
            Booking.rank,
        )
        .join(Unit, on=(Booking.unit == Unit.id))
        .join(Site, on=(Unit.site == Site.id))
        .switch(Booking)
        .join(Child, on=(Booking.child == Child.id))
        .join(Household, on=(Child.household == Household.id))
        .where(Booking.unit.in_(_units(town_id, site_id)), Booking.date.between(start, end))
        .order_by(Booking.date, Site.name, Unit.position, Child.last_name, Child.first_name)
        .limit(MAX_ROWS)
        .tuples()
    )
    rows = [
        (d, site, unit, hh, f"{last} {first}", cls, words.title("booking", state), rank or "")
        for d, site, unit, hh, last, first, cls, state, rank in q
    ]
    header = ("date", "structure", "prestation", "foyer", "enfant", "classe", "état", "rang")
    return Export(header, rows)


def attendance(town_id: int, start: dt.date, end: dt.date, site_id: int | None = None) -> Export:
    q = (
        AttendanceMark.select(
            AttendanceMark.date,
            Site.name,
            Unit.label,
            Child.last_name,
            Child.first_name,
            Child.class_name,
            AttendanceMark.status,
            AttendanceMark.unplanned,
        )
        .join(Unit, on=(AttendanceMark.unit == Unit.id))
        .join(Site, on=(Unit.site == Site.id))
        .switch(AttendanceMark)
        .join(Child, on=(AttendanceMark.child == Child.id))
        .where(
            AttendanceMark.town == town_id,
            AttendanceMark.unit.in_(_units(town_id, site_id)),
            AttendanceMark.date.between(start, end),
        )
        .order_by(AttendanceMark.date, Site.name, Unit.position, Child.last_name)
        .limit(MAX_ROWS)
        .tuples()
    )
    rows = [
        (d, site, unit, f"{last} {first}", cls, STATUS_FR[status], "oui" if unplanned else "non")
        for d, site, unit, last, first, cls, status, unplanned in q
    ]
    header = ("date", "structure", "prestation", "enfant", "classe", "pointage", "sans réservation")
    return Export(header, rows)


def invoices(town_id: int, start: dt.date, end: dt.date, site_id: int | None = None) -> Export:
    q = (
        Invoice.select(
            Invoice.number,
            Invoice.month,
            Invoice.household_name,
            Invoice.state,
            Invoice.total_cents,
            Invoice.paid_cents,
            Invoice.credited_cents,
            Invoice.due_date,
        )
        .where(
            Invoice.town == town_id,
            Invoice.month.between(start.replace(day=1), end),
        )
        .order_by(Invoice.month, Invoice.number, Invoice.household_name)
        .limit(MAX_ROWS)
        .tuples()
    )
    rows = [
        (
            number or "",
            month.strftime("%m/%Y"),
            name,
            words.title("invoice", state),
            _euros(total),
            _euros(paid),
            _euros(credited),
            _euros(total - paid - credited),
            due or "",
        )
        for number, month, name, state, total, paid, credited, due in q
    ]
    header = (
        "numéro",
        "mois",
        "foyer",
        "état",
        "total (€)",
        "réglé (€)",
        "avoirs (€)",
        "solde (€)",
        "échéance",
    )
    return Export(header, rows)


def payments(town_id: int, start: dt.date, end: dt.date, site_id: int | None = None) -> Export:
    first = dt.datetime.combine(start, dt.time(0, 0))
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 0))
    q = (
        Payment.select(
            Payment.created_at,
            Household.name,
            Payment.method,
            Payment.state,
            Payment.amount_cents,
            Payment.reference,
        )
        .join(Household, on=(Payment.household == Household.id))
        .where(Payment.town == town_id, Payment.created_at >= first, Payment.created_at < last)
        .order_by(Payment.created_at)
        .limit(MAX_ROWS)
        .tuples()
    )
    rows = [
        (
            from_utc_naive(at).astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
            name,
            PAYMENT_METHODS.get(method, method),
            words.title("payment", state),
            _euros(cents),
            ref,
        )
        for at, name, method, state, cents, ref in q
    ]
    return Export(("date", "foyer", "mode", "état", "montant (€)", "référence"), rows)


def households(town_id: int, start=None, end=None, site_id: int | None = None) -> Export:
    guardians = defaultdict(list)
    for hid, first, last, email, phone in (
        Guardian.select(
            Guardian.household,
            Guardian.first_name,
            Guardian.last_name,
            Guardian.email,
            Guardian.phone,
        )
        .join(Household)
        .where(Household.town == town_id)
        .order_by(Guardian.id)
        .tuples()
    ):
        guardians[hid].append((f"{first} {last}", email, phone))
    children = defaultdict(list)
    for hid, first, cls in (
        Child.select(Child.household, Child.first_name, Child.class_name)
        .join(Household)
        .where(Household.town == town_id)
        .order_by(Child.first_name)
        .tuples()
    ):
        children[hid].append(f"{first} ({cls})" if cls else first)
    rows = []
    for hid, name, caf, qf in (
        Household.select(Household.id, Household.name, Household.caf_number, Household.qf)
        .where(Household.town == town_id)
        .order_by(Household.name)
        .tuples()
    ):
        g = guardians[hid]
        rows.append(
            (
                name,
                ", ".join(x[0] for x in g),
                ", ".join(x[1] for x in g if x[1]),
                ", ".join(x[2] for x in g if x[2]),
                caf,
                qf if qf is not None else "",
                ", ".join(children[hid]),
            )
        )
    header = ("foyer", "responsables", "e-mails", "téléphones", "n° CAF", "QF", "enfants")
    return Export(header, rows)


KINDS = {
    "reservations": ("Réservations", bookings),
    "pointage": ("Pointage", attendance),
    "factures": ("Factures", invoices),
    "reglements": ("Règlements", payments),
    "foyers": ("Foyers", households),
}


def _cell_text(value) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def to_csv(export: Export) -> str:
    """';'-separated, French decimals, with a BOM so spreadsheets read UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(export.header)
    for row in export.rows:
        writer.writerow([_cell_text(v) for v in row])
    return "\ufeff" + out.getvalue()


def to_xlsx(export: Export, title: str) -> bytes:
    from openpyxl import Workbook  # imported here: only an export needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(export.header))
    for row in export.rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
