"""Offline payments (partial or whole), balances, credit notes and the tax
certificate."""

import datetime as dt

import pytest

from models.billing import CreditNote, Invoice
from workflows import billing, invoicing, tax_certificates
from workflows.engine import Forbidden, GuardFailed

from .. import factories as f
from .helpers import (
    MONTH,
    book,
    family,
    issued_invoice,
    pdftotext,
    priced_town,
    staff_actor,
    weekdays,
)


def test_offline_payments_partial_then_whole_and_balances(app):
    town, h, inv = issued_invoice(days=10)  # 15,00 €
    finance = staff_actor(town)
    billing.record_offline_payment(finance, h.id, "cheque", 1000, reference="CHQ 123")
    inv = Invoice.get_by_id(inv.id)
    assert inv.state == "partly_paid" and inv.balance_cents == 500
    assert dict((hid, bal) for hid, _, _, bal in billing.balances(town.id))[h.id] == 500
    with pytest.raises(GuardFailed) as exc:
        billing.record_offline_payment(finance, h.id, "cash", 501)
    assert exc.value.code == "too_much"
    billing.record_offline_payment(finance, h.id, "transfer", 500)
    assert Invoice.get_by_id(inv.id).state == "paid"
    with pytest.raises(Forbidden):
        billing.record_offline_payment(staff_actor(f.town()), h.id, "cash", 1)
    with pytest.raises(Forbidden):
        billing.record_offline_payment(staff_actor(town, "approver"), h.id, "cash", 1)


def test_credit_notes_partial_and_whole_with_pdf(app):
    town, h, inv = issued_invoice(days=4)  # 6,00 €
    finance = staff_actor(town)
    note = billing.credit(
        finance, inv.id, 150, "Repas du 3 facturé à tort", today=dt.date(2026, 11, 5)
    )
    assert note.number == "A2611-000001"
    inv = Invoice.get_by_id(inv.id)
    assert inv.state == "issued" and inv.balance_cents == 450 and inv.total_cents == 600
    billing.credit(finance, inv.id, None, "Annulation", today=dt.date(2026, 11, 6))
    inv = Invoice.get_by_id(inv.id)
    assert inv.state == "credited" and inv.balance_cents == 0
    assert CreditNote.select().count() == 2
    from workflows.documents import credit_note_pdf

    text = pdftotext(credit_note_pdf(note))
    assert "Avoir n° A2611-000001" in text and "1,50 €" in text and "facturé à tort" in text
    assert town.name in text
    with pytest.raises(GuardFailed):
        billing.credit(finance, inv.id, 10, "trop")


def test_tax_certificate_childcare_of_under_sixes_meals_excluded(auth, client):
    year = dt.date.today().year - 1
    town = priced_town()
    h = family(town, "Petit", qf=500, children=("Léo", "Zoé"))
    young, old = sorted(h.children, key=lambda c: c.id)  # the database's order varies
    young.birth_date = dt.date(year - 3, 5, 1)
    young.save()
    old.birth_date = dt.date(year - 9, 5, 1)
    old.save()
    month = dt.date(year, 3, 1)
    days = weekdays(month, n=4)
    book(young, f.unit(town, "GARDERIE MATIN"), days)  # 4 × 1,20
    book(young, f.unit(town, "REPAS"), days)  # meals: excluded
    book(old, f.unit(town, "GARDERIE MATIN"), days)  # over six: excluded
    invoicing.draft_month(town.id, month)
    finance = staff_actor(town)
    invoicing.issue_month(finance, town.id, month, today=dt.date(year, 4, 2))
    inv = Invoice.get()
    payment = billing.record_offline_payment(finance, h.id, "cash", inv.total_cents)
    from models.billing import Payment

    Payment.update(settled_at=dt.datetime(year, 4, 10, 9)).where(Payment.id == payment.id).execute()
    lines = tax_certificates.tax_certificate(h.id, year)
    assert [(li.child_name, li.amount_cents) for li in lines] == [("PETIT Léo", 480)]
    assert tax_certificates.tax_certificate(h.id, year - 1) == []
    auth.parent(h, client=client)
    resp = client.get(f"/attestation-fiscale/{year}.pdf")
    text = pdftotext(resp.data)
    assert f"Attestation fiscale {year}" in text and "PETIT Léo" in text and "4,80 €" in text
    assert "Zoé" not in text and town.name in text and "moins de six ans" in text
    assert client.get(f"/attestation-fiscale/{year + 1}.pdf").status_code == 404


def test_month_summary(app):
    town, h, inv = issued_invoice()
    assert invoicing.month_summary(town.id, MONTH) == {"issued": (1, 600)}
