"""Exports of the staff's lists (bookings, attendance, invoices, payments, households) as
rows with a French header, for CSV and XLSX (openpyxl): each kind one set-based query,
limited to the town, filtered by period and site (the exports screen) and by the filters
of the list it comes from: `Filters.only`, the ids of the rows the list shows (a subquery
the list screen builds with its own filters and search, so the rule of what a list shows
stays in one place), and for attendance the sheet's unit."""

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


class Filters(NamedTuple):
    start: dt.date | None = None  # the period; None: no bound (MAX_ROWS still applies)
    end: dt.date | None = None
    site_id: int | None = None
    unit_id: int | None = None  # attendance: the sheet's unit
    only: object = None  # a subquery of the ids the list screen shows with its filters


class Export(NamedTuple):
    header: tuple[str, ...]
    rows: list[tuple]


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def _units(town_id: int, flt: Filters):
    q = Unit.select(Unit.id).join(Service).where(Service.town == town_id)
    if flt.site_id:
        q = q.where(Unit.site == flt.site_id)
    return q.where(Unit.id == flt.unit_id) if flt.unit_id else q


def _where(q, flt: Filters, date_field, id_field):
    """The period on `date_field` and the list's rows on `id_field`."""
    if flt.start is not None:
        q = q.where(date_field >= flt.start)
    if flt.end is not None:
        q = q.where(date_field <= flt.end)
    return q if flt.only is None else q.where(id_field.in_(flt.only))


def bookings(town_id: int, flt: Filters) -> Export:
    q = _where(
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
        .where(Booking.unit.in_(_units(town_id, flt))),
        flt,
        Booking.date,
        Booking.id,
    )
    q = (
        q.order_by(Booking.date, Site.name, Unit.position, Child.last_name, Child.first_name)
        .limit(MAX_ROWS)
        .tuples()
    )
    rows = [
        (d, site, unit, hh, f"{last} {first}", cls, words.title("booking", state), rank or "")
        for d, site, unit, hh, last, first, cls, state, rank in q
    ]
    header = ("date", "structure", "prestation", "foyer", "enfant", "classe", "état", "rang")
    return Export(header, rows)


def attendance(town_id: int, flt: Filters) -> Export:
    q = _where(
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
            AttendanceMark.unit.in_(_units(town_id, flt)),
        ),
        flt,
        AttendanceMark.date,
        AttendanceMark.id,
    )
    q = (
        q.order_by(AttendanceMark.date, Site.name, Unit.position, Child.last_name)
        .limit(MAX_ROWS)
        .tuples()
    )
    rows = [
        (d, site, unit, f"{last} {first}", cls, STATUS_FR[status], "oui" if unplanned else "non")
        for d, site, unit, last, first, cls, status, unplanned in q
    ]
    header = ("date", "structure", "prestation", "enfant", "classe", "pointage", "sans réservation")
    return Export(header, rows)


def invoices(town_id: int, flt: Filters) -> Export:
    month = flt._replace(start=flt.start and flt.start.replace(day=1))  # invoices are monthly
    q = _where(
        Invoice.select(
            Invoice.number,
            Invoice.month,
            Invoice.household_name,
            Invoice.state,
            Invoice.total_cents,
            Invoice.paid_cents,
            Invoice.credited_cents,
            Invoice.due_date,
        ).where(Invoice.town == town_id),
        month,
        Invoice.month,
        Invoice.id,
    )
    q = q.order_by(Invoice.month, Invoice.number, Invoice.household_name).limit(MAX_ROWS).tuples()
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


def payments(town_id: int, flt: Filters) -> Export:
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
        .where(Payment.town == town_id)
    )
    if flt.start is not None:  # created_at is a UTC moment: the period's days from midnight
        q = q.where(Payment.created_at >= dt.datetime.combine(flt.start, dt.time(0, 0)))
    if flt.end is not None:
        after = dt.datetime.combine(flt.end + dt.timedelta(days=1), dt.time(0, 0))
        q = q.where(Payment.created_at < after)
    if flt.only is not None:
        q = q.where(Payment.id.in_(flt.only))
    q = q.order_by(Payment.created_at).limit(MAX_ROWS).tuples()
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


def households(town_id: int, flt: Filters) -> Export:
    """All the town's households (the list's search applied); the period does not apply."""
    chosen = Household.select(Household.id).where(Household.town == town_id)
    if flt.only is not None:
        chosen = chosen.where(Household.id.in_(flt.only))
    guardians = defaultdict(list)
    for hid, first, last, email, phone in (
        Guardian.select(
            Guardian.household,
            Guardian.first_name,
            Guardian.last_name,
            Guardian.email,
            Guardian.phone,
        )
        .where(Guardian.household.in_(chosen))
        .order_by(Guardian.id)
        .tuples()
    ):
        guardians[hid].append((f"{first} {last}", email, phone))
    children = defaultdict(list)
    for hid, first, cls in (
        Child.select(Child.household, Child.first_name, Child.class_name)
        .where(Child.household.in_(chosen))
        .order_by(Child.first_name)
        .tuples()
    ):
        children[hid].append(f"{first} ({cls})" if cls else first)
    rows = []
    for hid, name, caf, qf in (
        Household.select(Household.id, Household.name, Household.caf_number, Household.qf)
        .where(Household.id.in_(chosen))
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
