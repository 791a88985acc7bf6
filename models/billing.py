"""Billing: prices, invoicing runs, invoices and their lines, credit notes, payments.

Money is always integer cents (`*_cents` columns). An issued invoice is a snapshot: the
names, addresses, labels and unit prices are copied into it and never change; a correction
is a credit note.
"""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .catalogue import Unit
from .db import BaseModel
from .families import Account, Child, Household, Town, utcnow


class Price(BaseModel):
    """The price of one unit for one QF tier, over a validity period.

    A tier is `qf_min <= QF <= qf_max` (`qf_max` empty: no upper bound). A household without
    a known QF pays the highest tier."""

    town = ForeignKeyField(Town, backref="prices", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, backref="prices", on_delete="CASCADE")
    qf_min = IntegerField(default=0)
    qf_max = IntegerField(null=True)
    amount_cents = IntegerField()
    valid_from = DateField()
    valid_to = DateField(null=True)

    class Meta:
        indexes = ((("unit", "valid_from"), False),)

    def __str__(self) -> str:
        top = self.qf_max if self.qf_max is not None else "∞"
        return f"{self.unit.label} QF {self.qf_min}–{top}: {self.amount_cents / 100:.2f} €"


class AbsenceJustification(BaseModel):
    """Staff mark a child's absence as justified: its bookings on those days are not billed
    (for one unit, or all units when `unit` is empty)."""

    child = ForeignKeyField(Child, backref="absences", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, null=True, on_delete="CASCADE")
    start = DateField()
    end = DateField()
    reason = CharField(default="")
    created_by = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("child", "start"), False),)

    def __str__(self) -> str:
        return f"{self.child} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


class InvoicingRun(BaseModel):
    """One month's invoicing for a town, run by a background job; progress lives here."""

    town = ForeignKeyField(Town, backref="invoicing_runs", on_delete="CASCADE")
    month = DateField()  # first day of the invoiced month
    state = CharField(default="queued")  # queued, running, drafted, issuing, issued, failed
    total = IntegerField(default=0)  # households to look at
    done = IntegerField(default=0)
    created = IntegerField(default=0)  # invoices this run created
    issued = IntegerField(default=0)
    warnings = TextField(default="")
    error = TextField(default="")
    requested_by = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    started_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("town", "month"), False),)

    def __str__(self) -> str:
        return f"Facturation {self.month:%m/%Y}"


class InvoiceCounter(BaseModel):
    """The last number given per town, kind (invoice 'F', credit note 'A') and year. Taken
    FOR UPDATE while numbering, so numbers have no gaps and no duplicates."""

    town = ForeignKeyField(Town, on_delete="CASCADE")
    kind = CharField(max_length=1)
    year = IntegerField()
    last = IntegerField(default=0)

    class Meta:
        indexes = ((("town", "kind", "year"), True),)


class Invoice(BaseModel):
    town = ForeignKeyField(Town, backref="invoices", on_delete="CASCADE")
    household = ForeignKeyField(Household, backref="invoices", on_delete="CASCADE")
    month = DateField()  # first day of the invoiced month
    run = ForeignKeyField(InvoicingRun, null=True, on_delete="SET NULL")
    state = CharField(default="draft")  # draft, issued, partly_paid, paid, credited
    number = CharField(null=True)  # unique within the town
    issued_at = DateTimeField(null=True)
    issue_date = DateField(null=True)
    due_date = DateField(null=True)
    total_cents = IntegerField(default=0)
    paid_cents = IntegerField(default=0)
    credited_cents = IntegerField(default=0)
    # The online payment under way for this invoice, if any: set and cleared with
    # conditional UPDATEs, so two tabs cannot both start paying it.
    pending_payment_id = IntegerField(null=True)
    # Snapshot, copied when the invoice is drafted and frozen when it is issued.
    household_name = CharField(default="")
    household_address = TextField(default="")
    town_name = CharField(default="")
    town_address = TextField(default="")
    town_contact = CharField(default="")
    updated_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("household", "town", "month"), True),
            (("town", "number"), True),
            (("town", "month", "state"), False),
        )

    @property
    def balance_cents(self) -> int:
        return self.total_cents - self.paid_cents - self.credited_cents

    @property
    def is_open(self) -> bool:
        return self.state in ("issued", "partly_paid") and self.balance_cents > 0

    def __str__(self) -> str:
        return self.number or f"Brouillon {self.household_name} {self.month:%m/%Y}"


class InvoiceLine(BaseModel):
    invoice = ForeignKeyField(Invoice, backref="lines", on_delete="CASCADE")
    child = ForeignKeyField(Child, null=True, on_delete="SET NULL")
    unit = ForeignKeyField(Unit, null=True, on_delete="SET NULL")
    child_name = CharField()
    child_birth_date = DateField(null=True)
    enrolment = CharField(default="")  # the site of the enrolment, as printed
    label = CharField()
    service = CharField()
    is_meal = BooleanField(default=False)
    quantity = IntegerField()
    unit_price_cents = IntegerField()
    amount_cents = IntegerField()
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("invoice", "position"), False),)

    def __str__(self) -> str:
        return f"{self.child_name} {self.label} × {self.quantity}"


class CreditNote(BaseModel):
    town = ForeignKeyField(Town, backref="credit_notes", on_delete="CASCADE")
    invoice = ForeignKeyField(Invoice, backref="credit_notes", on_delete="CASCADE")
    number = CharField()
    amount_cents = IntegerField()
    reason = TextField()
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(Account, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("town", "number"), True),)

    def __str__(self) -> str:
        return self.number


PAYMENT_METHODS = {
    "online": "Paiement en ligne",
    "cash": "Espèces",
    "cheque": "Chèque",
    "transfer": "Virement",
    "direct_debit": "Prélèvement",
}


class Payment(BaseModel):
    town = ForeignKeyField(Town, backref="payments", on_delete="CASCADE")
    household = ForeignKeyField(Household, backref="payments", on_delete="CASCADE")
    method = CharField(default="online")
    state = CharField(default="created")  # created, pending, validated, refused, abandoned
    amount_cents = IntegerField()
    reference = CharField(default="")  # cheque number, transfer reference...
    backend = CharField(default="")
    transaction_id = CharField(null=True, unique=True)
    bank_status = CharField(default="")
    created_at = DateTimeField(default=utcnow)
    settled_at = DateTimeField(null=True)
    created_by = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    updated_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("household", "created_at"), False), (("state", "created_at"), False))

    def __str__(self) -> str:
        return f"Paiement n° {self.id} ({self.amount_cents / 100:.2f} €)"


class PaymentInvoice(BaseModel):
    """How much of a payment goes to each invoice."""

    payment = ForeignKeyField(Payment, backref="allocations", on_delete="CASCADE")
    invoice = ForeignKeyField(Invoice, backref="allocations", on_delete="CASCADE")
    amount_cents = IntegerField()

    class Meta:
        indexes = ((("payment", "invoice"), True), (("invoice",), False))


class PaymentNotification(BaseModel):
    """Every notification received from a provider, kept for audit, with what we did."""

    town = ForeignKeyField(Town, null=True, on_delete="SET NULL")
    received_at = DateTimeField(default=utcnow)
    transaction_id = CharField(default="")
    payload = TextField(default="")
    outcome = CharField(default="")  # validated, refused, abandoned, waiting, ignored:<why>

    class Meta:
        indexes = ((("transaction_id",), False),)


class DummyBankTransaction(BaseModel):
    """The books of the dummy provider (our simulator): what the 'bank' knows about a
    transaction. A notification is settled by asking it, never by trusting the caller."""

    transaction_id = CharField(unique=True)
    amount_cents = IntegerField()
    outcome = CharField()  # accepted, refused, abandoned
    created_at = DateTimeField(default=utcnow)
