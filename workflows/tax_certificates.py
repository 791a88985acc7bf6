"""The yearly tax certificate (attestation fiscale): what a household paid in a year for the
childcare of its children under six."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from models.billing import Invoice, InvoiceLine, Payment, PaymentInvoice

from . import pricing
from .calendar import PARIS, from_utc_naive


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
