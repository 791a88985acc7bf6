"""Billing operations: the month's drafts, issuing (numbering), credit notes, offline
payments, balances and the tax certificate. The only code that changes invoices.

Drafting is set-based: one query per chunk of households for their booked days, prices
from an in-memory price book, invoices and lines inserted with `insert_many`. Running the
same month twice creates nothing more: (household, town, month) is unique and the insert
ignores conflicts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from peewee import JOIN, fn

from models import (
    Booking,
    Child,
    Guardian,
    Household,
    Service,
    Site,
    Town,
    Unit,
    WorkflowHistory,
    database,
    is_postgres,
    transaction,
    utcnow,
)
from models.billing import (
    AbsenceJustification,
    CreditNote,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoicingRun,
    Payment,
    PaymentInvoice,
    Price,
)

from . import pricing
from .calendar import PARIS, from_utc_naive
from .definitions import INVOICE, PAYMENT
from .engine import SYSTEM, Actor, Conflict, Forbidden, GuardFailed, WorkflowError, fire, fire_many

log = logging.getLogger(__name__)
CHUNK = 1000
OFFLINE_METHODS = ("cash", "cheque", "transfer", "direct_debit")
OPEN_STATES = ("issued", "partly_paid")

MESSAGES = {
    "no_invoice": ("Aucune facture sélectionnée.", "No invoice selected."),
    "not_payable": ("Cette facture n'est pas à payer.", "This invoice is not payable."),
    "payment_pending": (
        "Un paiement est déjà en cours pour cette facture.",
        "A payment is already under way for this invoice.",
    ),
    "too_much": ("Le montant dépasse le solde dû.", "The amount exceeds the balance due."),
    "bad_amount": ("Montant invalide.", "Invalid amount."),
    "bad_method": ("Mode de règlement inconnu.", "Unknown payment method."),
    "reason_required": ("Un motif est obligatoire.", "A reason is required."),
    "already_paid": ("Cette facture est déjà réglée.", "This invoice is already paid."),
}


def message_fr(code: str) -> str:
    return MESSAGES.get(code, ("Opération impossible.", ""))[0]


class BillingError(WorkflowError):
    code = "billing_error"


def _for_update(query):
    return query.for_update() if is_postgres() else query


def _require(actor: Actor, town_id: int, role: str = "finance") -> str:
    roles = actor.roles_on(None, town_id)
    if role not in roles and "system" not in roles:
        raise Forbidden(f"{role} role needed in town {town_id}", code="forbidden")
    return "system" if "system" in roles else role


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
    return sorted(h for (h,) in q)


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
        ).where(Child.household.in_(household_ids))
    }
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
    for child_id, unit_id, day in rows:
        if child_id in absences and _justified(absences[child_id], unit_id, day):
            continue
        child = children[child_id]
        household = hh[child.household_id]
        price = book.price(unit_id, household.qf, day)
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
    _require(actor, town_id)
    first, _ = pricing.month_bounds(month)
    return InvoicingRun.create(town=town_id, month=first, requested_by=actor.account_id)


RUN_STATES = ("queued", "running", "drafted", "issuing", "issued", "failed")


def mark_run(run_id: int, state: str, **fields) -> None:
    """Record where an invoicing run stands. A run is the jobs' progress bookkeeping, not an
    object with a workflow of its own: the invoices it drafts and issues go through INVOICE."""
    if state not in RUN_STATES:
        raise ValueError(f"unknown run state {state!r}")
    InvoicingRun.update(state=state, **fields).where(InvoicingRun.id == run_id).execute()


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
    _require(actor, town_id)
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


# -- numbering and issuing --------------------------------------------------------------------
def take_numbers(town_id: int, kind: str, year: int, count: int) -> int:
    """Reserve `count` consecutive numbers; returns the first. Call inside a transaction: the
    counter row stays locked until it commits, so numbers have no gaps."""
    InvoiceCounter.insert(town=town_id, kind=kind, year=year, last=0).on_conflict_ignore().execute()
    counter = _for_update(
        InvoiceCounter.select().where(
            InvoiceCounter.town == town_id, InvoiceCounter.kind == kind, InvoiceCounter.year == year
        )
    ).get()
    first = counter.last + 1
    InvoiceCounter.update(last=InvoiceCounter.last + count).where(
        InvoiceCounter.id == counter.id
    ).execute()
    return first


def format_number(kind: str, day: dt.date, seq: int) -> str:
    return f"{kind}{day:%y%m}-{seq:06d}"


def issue_month(
    actor: Actor, town_id: int, month: dt.date, *, today: dt.date | None = None, due_days: int = 30
) -> list[int]:
    """Issue every draft of the month: numbers in household order, without gaps, then the
    `issue` transition (history rows) for all of them. Returns the ids issued."""
    role = _require(actor, town_id)
    first, _ = pricing.month_bounds(month)
    today = today or dt.datetime.now(PARIS).date()
    now = utcnow()
    with transaction():
        ids = [
            i
            for (i,) in _for_update(
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


# -- reading -----------------------------------------------------------------------------------
def household_invoices(household_id: int, which: str = "all"):
    """A household's issued invoices; `which` is 'to_pay', 'paid' or 'all'."""
    q = Invoice.select().where(Invoice.household == household_id, Invoice.state != "draft")
    if which == "to_pay":
        q = q.where(Invoice.state.in_(OPEN_STATES))
    elif which == "paid":
        q = q.where(Invoice.state.in_(("paid", "credited")))
    return list(q.order_by(Invoice.month.desc(), Invoice.id.desc()))


def invoice_for_parent(actor: Actor, invoice_id: int) -> Invoice | None:
    """The invoice if it is an issued invoice of one of the actor's households, else None."""
    inv = Invoice.get_or_none(Invoice.id == invoice_id)
    if inv is None or inv.state == "draft" or inv.household_id not in actor.household_ids:
        return None
    return inv


def balances(town_id: int):
    """(household id, name, invoices open, balance due in cents) for the town."""
    due = Invoice.total_cents - Invoice.paid_cents - Invoice.credited_cents
    return list(
        Household.select(
            Household.id,
            Household.name,
            fn.COUNT(Invoice.id).alias("open_count"),
            fn.COALESCE(fn.SUM(due), 0).alias("balance"),
        )
        .join(
            Invoice,
            JOIN.LEFT_OUTER,
            on=((Invoice.household == Household.id) & Invoice.state.in_(OPEN_STATES)),
        )
        .where(Household.town == town_id)
        .group_by(Household.id, Household.name)
        .order_by(Household.name)
        .tuples()
    )


# -- money in: applying a payment to its invoices ------------------------------------------
def apply_payment(payment: Payment, actor: Actor, role: str) -> None:
    """Add the payment's allocations to its invoices (inside the caller's transaction, after
    the payment moved to 'validated'). Raises GuardFailed('already_paid') when an invoice
    can no longer take its share: the caller's transaction then rolls back."""
    allocations = list(PaymentInvoice.select().where(PaymentInvoice.payment == payment.id))
    invoices = {
        inv.id: inv
        for inv in _for_update(
            Invoice.select().where(Invoice.id.in_([a.invoice_id for a in allocations]))
        )
    }
    for a in allocations:
        inv = invoices[a.invoice_id]
        if inv.state not in OPEN_STATES or a.amount_cents > inv.balance_cents:
            raise GuardFailed(f"invoice {inv.id} cannot take {a.amount_cents}", code="already_paid")
        if inv.pending_payment_id not in (None, payment.id):
            raise GuardFailed(
                f"invoice {inv.id} has payment {inv.pending_payment_id} pending",
                code="payment_pending",
            )
        paid = inv.paid_cents + a.amount_cents
        name = "pay" if paid + inv.credited_cents >= inv.total_cents else "pay_part"
        fire(
            INVOICE,
            inv,
            name,
            actor,
            owner=(inv.household_id, inv.town_id),
            values={"paid_cents": paid, "pending_payment_id": None},
            comment=f"payment {payment.id}",
        )


def allocate(invoices: list[Invoice], amount_cents: int) -> list[tuple[int, int]]:
    """Spread `amount_cents` over `invoices`, oldest first: [(invoice id, cents)]."""
    out = []
    left = amount_cents
    for inv in sorted(invoices, key=lambda i: (i.month, i.id)):
        if left <= 0:
            break
        part = min(left, inv.balance_cents)
        if part > 0:
            out.append((inv.id, part))
            left -= part
    return out


def record_offline_payment(
    actor: Actor,
    household_id: int,
    method: str,
    amount_cents: int,
    invoice_ids: Iterable[int] | None = None,
    reference: str = "",
) -> Payment:
    """Staff record a cash, cheque, transfer or direct-debit payment, whole or partial,
    spread over the chosen open invoices (all open ones, oldest first, when none is chosen)."""
    household = Household.get_by_id(household_id)
    role = _require(actor, household.town_id)
    if method not in OFFLINE_METHODS:
        raise GuardFailed("unknown method", code="bad_method")
    if amount_cents <= 0:
        raise GuardFailed("amount must be positive", code="bad_amount")
    with transaction():
        q = Invoice.select().where(
            Invoice.household == household_id,
            Invoice.town == household.town_id,
            Invoice.state.in_(OPEN_STATES),
        )
        if invoice_ids:
            q = q.where(Invoice.id.in_(list(invoice_ids)))
        invoices = list(_for_update(q))
        if any(i.pending_payment_id for i in invoices):
            raise GuardFailed("online payment pending", code="payment_pending")
        if amount_cents > sum(i.balance_cents for i in invoices):
            raise GuardFailed("more than the balance", code="too_much")
        payment = Payment.create(
            town=household.town_id,
            household=household_id,
            method=method,
            amount_cents=amount_cents,
            reference=reference,
            created_by=actor.account_id,
        )
        PaymentInvoice.insert_many(
            [
                {"payment": payment.id, "invoice": iid, "amount_cents": cents}
                for iid, cents in allocate(invoices, amount_cents)
            ]
        ).execute()
        fire(
            PAYMENT,
            payment,
            "record",
            actor,
            owner=(household_id, household.town_id),
            values={"settled_at": utcnow()},
            comment=f"{method} {reference}".strip(),
        )
        apply_payment(payment, actor, role)
    log.info(
        "offline payment %s household=%s method=%s cents=%s",
        payment.id,
        household_id,
        method,
        amount_cents,
    )
    return payment


# -- credit notes ------------------------------------------------------------------------------
def credit(
    actor: Actor,
    invoice_id: int,
    amount_cents: int | None,
    reason: str,
    today: dt.date | None = None,
) -> CreditNote:
    """A credit note of `amount_cents` (the whole balance when None) on an issued invoice.
    When it brings the balance to zero without the invoice being paid, the invoice moves to
    'credited'; it is otherwise unchanged but for its credited amount."""
    if not (reason or "").strip():
        raise GuardFailed("a reason is required", code="reason_required")
    today = today or dt.datetime.now(PARIS).date()
    with transaction():
        inv = _for_update(Invoice.select().where(Invoice.id == invoice_id)).get()
        _require(actor, inv.town_id)
        if inv.state not in OPEN_STATES:
            raise GuardFailed("invoice not open", code="not_payable")
        if inv.pending_payment_id:
            raise GuardFailed("online payment pending", code="payment_pending")
        amount = inv.balance_cents if amount_cents is None else amount_cents
        if amount <= 0:
            raise GuardFailed("bad amount", code="bad_amount")
        if amount > inv.balance_cents:
            raise GuardFailed("more than the balance", code="too_much")
        seq = take_numbers(inv.town_id, "A", today.year, 1)
        note = CreditNote.create(
            town=inv.town_id,
            invoice=inv.id,
            amount_cents=amount,
            reason=reason.strip(),
            created_by=actor.account_id,
            number=format_number("A", today, seq),
        )
        credited = inv.credited_cents + amount
        if inv.paid_cents + credited >= inv.total_cents:
            name = "credit" if inv.paid_cents == 0 else "pay"
            fire(
                INVOICE,
                inv,
                name,
                actor,
                owner=(inv.household_id, inv.town_id),
                values={"credited_cents": credited},
                comment=f"{note.number}: {reason}",
            )
        else:
            Invoice.update(credited_cents=credited, updated_at=utcnow()).where(
                Invoice.id == inv.id
            ).execute()
            WorkflowHistory.create(
                workflow=INVOICE.name,
                object_id=inv.id,
                transition="credit_part",
                from_state=inv.state,
                to_state=inv.state,
                actor=actor.account_id,
                role="finance",
                comment=f"{note.number}: {reason}",
            )
    log.info("credit note %s invoice=%s cents=%s", note.number, invoice_id, amount)
    return note


# -- tax certificate ---------------------------------------------------------------------------
@dataclass
class CertificateLine:
    child_name: str
    birth_date: dt.date | None
    amount_cents: int


def tax_certificate(household_id: int, year: int) -> list[CertificateLine]:
    """Per child under six on 1 January of `year`: the part of the payments validated in
    `year` that went to childcare (meals excluded). Each payment's share of an invoice is
    split over the invoice's lines pro rata (one rounding per child and invoice)."""
    start = dt.datetime(year, 1, 1, tzinfo=PARIS)
    end = dt.datetime(year + 1, 1, 1, tzinfo=PARIS)
    allocations = list(
        PaymentInvoice.select(PaymentInvoice, Payment, Invoice)
        .join(Payment)
        .switch(PaymentInvoice)
        .join(Invoice)
        .where(Payment.household == household_id, Payment.state == "validated")
    )
    paid_by_invoice: dict[int, int] = defaultdict(int)
    totals: dict[int, int] = {}
    for a in allocations:
        settled = from_utc_naive(a.payment.settled_at or a.payment.created_at)
        if start <= settled < end:
            paid_by_invoice[a.invoice_id] += a.amount_cents
            totals[a.invoice_id] = a.invoice.total_cents
    if not paid_by_invoice:
        return []
    eligible: dict[tuple[str, dt.date | None], dict[int, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for line in InvoiceLine.select().where(
        InvoiceLine.invoice.in_(list(paid_by_invoice)),
        InvoiceLine.is_meal == False,  # noqa: E712 - a SQL comparison, not a Python one
    ):
        if pricing.under_six(line.child_birth_date, year):
            eligible[(line.child_name, line.child_birth_date)][line.invoice_id] += line.amount_cents
    out = []
    for (name, birth), per_invoice in sorted(eligible.items(), key=lambda kv: kv[0][0]):
        amount = sum(
            pricing.share(paid_by_invoice[iid], cents, totals[iid])
            for iid, cents in per_invoice.items()
        )
        if amount:
            out.append(CertificateLine(name, birth, amount))
    return out


__all__ = [
    "SYSTEM",
    "BillingError",
    "InvoicingRun",
    "apply_payment",
    "balances",
    "credit",
    "discard_drafts",
    "draft_month",
    "household_invoices",
    "issue_month",
    "record_offline_payment",
    "tax_certificate",
]
