"""The month's invoicing: drafts, the run that tracks them, and their issue.

Drafting is set-based: one query per chunk of households for their booked days, prices
from an in-memory price book, invoices and lines inserted with `insert_many`. Running the
same month twice creates nothing more: (household, town, month) is unique and the insert
ignores conflicts. Issuing numbers the drafts without gaps and fires INVOICE's `issue` on
all of them."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from peewee import fn

from models import (
    Booking,
    Child,
    CustodyPattern,
    Guardian,
    Household,
    Request,
    RequestLine,
    Service,
    Site,
    Town,
    Unit,
    database,
    is_postgres,
    transaction,
    utcnow,
)
from models.billing import AbsenceJustification, Invoice, InvoiceLine, InvoicingRun, Price

from . import attendance, homes, pricing
from .billing import for_update, format_number, require_role, take_numbers
from .calendar import PARIS
from .definitions import INVOICE, INVOICING_RUN
from .engine import SYSTEM, Actor, Conflict, InvalidTransition, fire, fire_many

log = logging.getLogger(__name__)
CHUNK = 1000


# -- drafting ---------------------------------------------------------------------------------
@dataclass
class DraftResult:
    created: int
    households: int
    warnings: list[str]


def _price_book(town_id: int) -> pricing.PriceBook:
    return pricing.PriceBook(
        pricing.PriceRow(*row)
        for row in Price.select(
            Price.unit,
            Price.qf_min,
            Price.qf_max,
            Price.amount_cents,
            Price.valid_from,
            Price.valid_to,
        )
        .where(Price.town == town_id)
        .tuples()
    )


def _absences(town_id: int, first: dt.date, last: dt.date) -> dict[int, list]:
    rows = (
        AbsenceJustification.select(
            AbsenceJustification.child,
            AbsenceJustification.unit,
            AbsenceJustification.start,
            AbsenceJustification.end,
        )
        .join(Child)
        .join(Household)
        .where(
            Household.town == town_id,
            AbsenceJustification.start <= last,
            AbsenceJustification.end >= first,
        )
        .tuples()
    )
    out: dict[int, list] = defaultdict(list)
    for child_id, unit_id, start, end in rows:
        out[child_id].append((unit_id, start, end))
    for child_id, unit_id, day in attendance.justified(town_id, first, last):  # ticked so
        out[child_id].append((unit_id, day, day))
    return out


def _justified(absences: list, unit_id: int, day: dt.date) -> bool:
    return any((u is None or u == unit_id) and s <= day <= e for u, s, e in absences)


def billable_households(town_id: int, month: dt.date) -> list[int]:
    """Households of the town with at least one booked day in `month` and no invoice yet."""
    first, last = pricing.month_bounds(month)
    invoiced = Invoice.select(Invoice.household).where(
        Invoice.town == town_id, Invoice.month == first
    )
    q = (
        Child.select(Child.household)
        .distinct()
        .join(Booking, on=(Booking.child == Child.id))
        .switch(Child)
        .join(Household)
        .where(
            Household.town == town_id,
            Booking.state == "booked",
            Booking.date.between(first, last),
            Child.household.not_in(invoiced),
        )
        .tuples()
    )
    # with the households that booked for a shared child as its second home
    shared = (
        Booking.select(Request.household)
        .distinct()
        .join(RequestLine, on=(Booking.line == RequestLine.id))
        .join(Request, on=(RequestLine.request == Request.id))
        .join(Household, on=(Request.household == Household.id))
        .where(
            Household.town == town_id,
            Booking.child.in_(CustodyPattern.select(CustodyPattern.child)),
            Booking.state == "booked",
            Booking.date.between(first, last),
            Request.household.not_in(invoiced),
        )
        .tuples()
    )
    # with the households whose children came without a booking (attendance), a shared
    # child's second home included (the presence goes to the day's household)
    extra = attendance.unplanned_households(town_id, first, last) | {h for (h,) in shared}
    came = {c for c, _, _ in attendance.unplanned_presences(town_id, first, last)}
    if came:
        extra |= {
            h
            for (h,) in CustodyPattern.select(CustodyPattern.second_household)
            .where(CustodyPattern.child.in_(list(came)))
            .tuples()
        }
    if extra:
        extra -= {h for (h,) in invoiced.tuples()}
    return sorted({h for (h,) in q} | extra)


def draft_month(
    town_id: int,
    month: dt.date,
    *,
    run_id: int | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    chunk: int = CHUNK,
) -> DraftResult:
    """Draft the invoices of `month` for every household of the town that has booked days
    and no invoice for that month yet. `progress(done, total, created)` is called after each
    chunk (each chunk is its own transaction)."""
    first, last = pricing.month_bounds(month)
    town = Town.get_by_id(town_id)
    book = _price_book(town_id)
    absences = _absences(town_id, first, last)
    units = {
        u.id: u
        for u in Unit.select(Unit, Service, Site)
        .join(Service)
        .switch(Unit)
        .join(Site)
        .where(Service.town == town_id)
    }
    households = billable_households(town_id, month)
    warnings: set[str] = set()
    created = 0
    contact = " – ".join(x for x in (town.contact_email, town.contact_phone) if x)
    for start in range(0, len(households), chunk):
        ids = households[start : start + chunk]
        made = _draft_chunk(
            town, contact, first, last, ids, units, book, absences, run_id, warnings
        )
        created += made
        if progress:
            progress(min(start + chunk, len(households)), len(households), created)
    log.info(
        "invoicing town=%s month=%s households=%d created=%d",
        town_id,
        first,
        len(households),
        created,
    )
    return DraftResult(created, len(households), sorted(warnings))


def _draft_chunk(
    town, contact, first, last, household_ids, units, book, absences, run_id, warnings
) -> int:
    hh = {
        h.id: h
        for h in Household.select(
            Household.id, Household.name, Household.address, Household.qf
        ).where(Household.id.in_(household_ids))
    }
    children = {
        c.id: c
        for c in Child.select(
            Child.id, Child.household, Child.first_name, Child.last_name, Child.birth_date
        ).where(
            Child.household.in_(household_ids)
            | Child.id.in_(
                CustodyPattern.select(CustodyPattern.child).where(
                    CustodyPattern.second_household.in_(household_ids)
                )
            )
        )
    }
    # A shared child's day is invoiced to the household whose request booked it, at its
    # own QF tier (workflows.homes); an unplanned presence to the day's household.
    shared = homes.patterns_of(children)
    owners = homes.booking_households(shared, first, last) if shared else {}
    rows = (
        Booking.select(Booking.child, Booking.unit, Booking.date)
        .where(
            Booking.child.in_(list(children)),
            Booking.state == "booked",
            Booking.date.between(first, last),
        )
        .tuples()
    )
    # (household) -> (child, unit, price) -> quantity
    counts: dict[int, dict[tuple[int, int, int], int]] = defaultdict(lambda: defaultdict(int))
    walk_in = attendance.walk_in_prices(town.id)
    unplanned = attendance.unplanned_presences(town.id, first, last, children)
    for child_id, unit_id, day, *came in [*rows, *(u + (True,) for u in unplanned)]:
        if child_id in absences and _justified(absences[child_id], unit_id, day):
            continue
        child = children[child_id]
        hid = child.household_id
        if child_id in shared:
            hid = owners.get((child_id, unit_id, day)) or (
                homes.day_household(shared[child_id], day) or hid
            )
        household = hh.get(hid)
        if household is None:
            continue  # the other home's day, drafted with that household's chunk
        price = walk_in.get(unit_id) if came else None
        price = price if price is not None else book.price(unit_id, household.qf, day)
        if price is None:
            unit = units.get(unit_id)
            warnings.add(
                f"no price for unit {unit.code if unit else unit_id} "
                f"(QF {household.qf}) on {day.isoformat()}"
            )
            continue
        counts[household.id][(child_id, unit_id, price)] += 1
    now = utcnow()
    with transaction():
        invoice_rows = []
        for hid, lines in counts.items():
            h = hh[hid]
            invoice_rows.append(
                {
                    "town": town.id,
                    "household": hid,
                    "month": first,
                    "run": run_id,
                    "state": "draft",
                    "total_cents": sum(q * p for (_, _, p), q in lines.items()),
                    "household_name": h.name,
                    "household_address": h.address,
                    "town_name": town.name,
                    "town_address": town.address,
                    "town_contact": contact,
                    "updated_at": now,
                }
            )
        if not invoice_rows:
            return 0
        inserted = (
            Invoice.insert_many(invoice_rows)
            .on_conflict_ignore()
            .returning(Invoice.id, Invoice.household)
            .tuples()
            .execute()
        )
        by_household = {hid: iid for iid, hid in inserted}
        line_rows = []
        for hid, iid in by_household.items():
            ordered = sorted(
                counts[hid].items(),
                key=lambda kv: (children[kv[0][0]].first_name, units[kv[0][1]].position, kv[0][2]),
            )
            for pos, ((child_id, unit_id, price), qty) in enumerate(ordered):
                c, u = children[child_id], units[unit_id]
                line_rows.append(
                    {
                        "invoice": iid,
                        "child": child_id,
                        "unit": unit_id,
                        "child_name": f"{c.last_name.upper()} {c.first_name}",
                        "child_birth_date": c.birth_date,
                        "enrolment": u.site.name,
                        "label": u.label,
                        "service": u.service.name,
                        "is_meal": pricing.is_meal(u.code),
                        "quantity": qty,
                        "unit_price_cents": price,
                        "amount_cents": qty * price,
                        "position": pos,
                    }
                )
        for i in range(0, len(line_rows), CHUNK):
            InvoiceLine.insert_many(line_rows[i : i + CHUNK]).execute()
    return len(by_household)


def create_run(actor: Actor, town_id: int, month: dt.date) -> InvoicingRun:
    """A new invoicing run for the month (the job then drafts it)."""
    require_role(actor, town_id)
    first, _ = pricing.month_bounds(month)
    return InvoicingRun.create(town=town_id, month=first, requested_by=actor.account_id)


def advance_run(run_id: int, transition: str, actor: Actor = SYSTEM, **fields) -> bool:
    """Move an invoicing run along INVOICING_RUN (the jobs as the system, finance staff
    asking for the issue), with the progress figures beside. False when the run was no
    longer where the transition starts (another job or agent moved it first)."""
    run = InvoicingRun.get_by_id(run_id)
    try:
        fire(INVOICING_RUN, run, transition, actor, owner=(None, run.town_id), values=fields)
    except (Conflict, InvalidTransition):
        return False
    return True


def month_summary(town_id: int, month: dt.date) -> dict:
    """Counts and totals per state of a month's invoices (the preview's head)."""
    first, _ = pricing.month_bounds(month)
    rows = (
        Invoice.select(Invoice.state, fn.COUNT(Invoice.id), fn.SUM(Invoice.total_cents))
        .where(Invoice.town == town_id, Invoice.month == first)
        .group_by(Invoice.state)
        .tuples()
    )
    return {state: (count, total or 0) for state, count, total in rows}


def discard_drafts(actor: Actor, town_id: int, month: dt.date) -> int:
    """Drop the drafts of a month (never an issued invoice), to draft them again."""
    require_role(actor, town_id)
    first, _ = pricing.month_bounds(month)
    with transaction():
        ids = [
            i
            for (i,) in Invoice.select(Invoice.id)
            .where(Invoice.town == town_id, Invoice.month == first, Invoice.state == "draft")
            .tuples()
        ]
        for i in range(0, len(ids), CHUNK):
            part = ids[i : i + CHUNK]
            InvoiceLine.delete().where(InvoiceLine.invoice.in_(part)).execute()
            Invoice.delete().where(Invoice.id.in_(part), Invoice.state == "draft").execute()
    return len(ids)


# -- issuing ------------------------------------------------------------------------------------
def issue_month(
    actor: Actor, town_id: int, month: dt.date, *, today: dt.date | None = None, due_days: int = 30
) -> list[int]:
    """Issue every draft of the month: numbers in household order, without gaps, then the
    `issue` transition (history rows) for all of them. Returns the ids issued."""
    role = require_role(actor, town_id)
    first, _ = pricing.month_bounds(month)
    today = today or dt.datetime.now(PARIS).date()
    now = utcnow()
    with transaction():
        ids = [
            i
            for (i,) in for_update(
                Invoice.select(Invoice.id)
                .where(Invoice.town == town_id, Invoice.month == first, Invoice.state == "draft")
                .order_by(Invoice.household_name, Invoice.id)
            ).tuples()
        ]
        if not ids:
            return []
        seq = take_numbers(town_id, "F", today.year, len(ids))
        due = pricing.due_date(today, due_days)
        params = [
            (format_number("F", today, seq + k), now, today, due, iid) for k, iid in enumerate(ids)
        ]
        sql = (
            'UPDATE "invoice" SET "number" = {p}, "issued_at" = {p}, "issue_date" = {p}, '
            '"due_date" = {p} WHERE "id" = {p} AND "state" = \'draft\''
        )
        sql = sql.format(p="%s" if is_postgres() else "?")
        cursor = database.cursor()
        for i in range(0, len(params), CHUNK):
            cursor.executemany(sql, params[i : i + CHUNK])
        moved = []
        for i in range(0, len(ids), CHUNK):
            moved += fire_many(
                INVOICE, "issue", actor, role, Invoice.id.in_(ids[i : i + CHUNK]), at=now
            )
        if len(moved) != len(ids):
            raise Conflict("drafts changed while issuing")
    log.info(
        "issued town=%s month=%s invoices=%d numbers=%s..%s",
        town_id,
        first,
        len(ids),
        params[0][0],
        params[-1][0],
    )
    return ids


def recipients(invoice_ids: Iterable[int]) -> dict[int, list[str]]:
    """invoice id -> e-mail addresses of its household's guardians."""
    out: dict[int, list[str]] = defaultdict(list)
    q = (
        Invoice.select(Invoice.id, Guardian.email)
        .join(Guardian, on=(Guardian.household == Invoice.household))
        .where(Invoice.id.in_(list(invoice_ids)), Guardian.email != "")
        .order_by(Guardian.is_reference.desc(), Guardian.id)
        .tuples()
    )
    for iid, email in q:
        if email not in out[iid]:
            out[iid].append(email)
    return out
