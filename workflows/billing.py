"""Invoices and the money on them: what every billing operation shares (the finance role,
row locks, gap-free numbers, the French messages), a household's invoices and the town's
balances, payments applied to invoices, offline payments and credit notes. With
workflows.invoicing (the month's drafts and their issue), the only code that changes
invoices."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from peewee import JOIN, fn

from models import Household, WorkflowHistory, is_postgres, transaction, utcnow
from models.billing import (
    PAYMENT_METHODS,
    CreditNote,
    Invoice,
    InvoiceCounter,
    Payment,
    PaymentInvoice,
)

from . import family_notices
from .calendar import PARIS
from .definitions import INVOICE, PAYMENT
from .engine import Actor, Forbidden, GuardFailed, fire

log = logging.getLogger(__name__)
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


def for_update(query):
    """Lock the rows a query reads until the transaction ends (PostgreSQL; SQLite's
    transactions take the whole database's write lock)."""
    return query.for_update() if is_postgres() else query


def require_role(actor: Actor, town_id: int, role: str = "finance") -> str:
    roles = actor.roles_on(None, town_id)
    if role not in roles and "system" not in roles:
        raise Forbidden(f"{role} role needed in town {town_id}", code="forbidden")
    return "system" if "system" in roles else role


# -- numbering ----------------------------------------------------------------------------------
def take_numbers(town_id: int, kind: str, year: int, count: int) -> int:
    """Reserve `count` consecutive numbers; returns the first. Call inside a transaction: the
    counter row stays locked until it commits, so numbers have no gaps."""
    InvoiceCounter.insert(town=town_id, kind=kind, year=year, last=0).on_conflict_ignore().execute()
    counter = for_update(
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
        for inv in for_update(
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
    role = require_role(actor, household.town_id)
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
        invoices = list(for_update(q))
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
        family_notices.tell_payment(
            household_id, PAYMENT_METHODS.get(method, method), amount_cents, reference
        )
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
        inv = for_update(Invoice.select().where(Invoice.id == invoice_id)).get()
        require_role(actor, inv.town_id)
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
        family_notices.tell_credit(
            inv.household_id, note.number, inv.number or "", amount, reason.strip()
        )
    log.info("credit note %s invoice=%s cents=%s", note.number, invoice_id, amount)
    return note
