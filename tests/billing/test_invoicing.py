"""Drafting a month, issuing with gap-free numbers, snapshots, idempotence."""

import datetime as dt

import pytest

from models import WorkflowHistory
from models.billing import AbsenceJustification, Invoice, InvoiceCounter, InvoiceLine, Price
from workflows import invoicing
from workflows.engine import Forbidden

from .. import factories as f
from .helpers import MONTH, book, family, priced_town, staff_actor, weekdays


def test_one_invoice_per_household_priced_by_qf_tier(app):
    town = priced_town()
    low = family(town, "Petit", qf=400, children=("Léa", "Hugo"))
    high = family(town, "Grand", qf=1500)
    nobody = family(town, "Absent", qf=900)  # no booking: no invoice
    repas, garderie = f.unit(town, "REPAS"), f.unit(town, "GARDERIE MATIN")
    days = weekdays(n=6)
    for c in low.children:
        book(c, repas, days)
    lea = min(low.children, key=lambda c: c.id)  # the first child (the database's order varies)
    book(lea, garderie, days[:2])
    book(high.children[0], repas, days[:3])
    book(high.children[0], repas, [weekdays(n=8)[7]], state="cancel_requested")  # not billed
    result = invoicing.draft_month(town.id, MONTH)
    assert result.created == 2 and result.warnings == []
    inv = Invoice.get(Invoice.household == low.id)
    assert inv.state == "draft" and inv.number is None
    lines = list(inv.lines.order_by(InvoiceLine.position))
    assert [(li.child_name, li.label, li.quantity, li.unit_price_cents) for li in lines] == [
        ("PETIT Hugo", "Repas", 6, 150),
        ("PETIT Léa", "Repas", 6, 150),
        ("PETIT Léa", "Garderie du matin", 2, 120),
    ]
    assert inv.total_cents == sum(li.amount_cents for li in lines) == 6 * 150 * 2 + 240
    assert Invoice.get(Invoice.household == high.id).total_cents == 3 * 390
    assert not Invoice.select().where(Invoice.household == nobody.id).exists()


def test_drafting_twice_creates_nothing_more(app):
    town = priced_town()
    h = family(town)
    book(h.children[0], f.unit(town), weekdays(n=4))
    assert invoicing.draft_month(town.id, MONTH).created == 1
    assert invoicing.draft_month(town.id, MONTH).created == 0
    assert Invoice.select().count() == 1 and InvoiceLine.select().count() == 1


def test_justified_absence_is_not_billed_and_missing_price_is_reported(app):
    town = priced_town()
    h = family(town)
    child = h.children[0]
    days = weekdays(n=5)
    book(child, f.unit(town), days)
    AbsenceJustification.create(child=child, start=days[1], end=days[2], reason="malade")
    Price.delete().where(Price.unit == f.unit(town, "PAI")).execute()
    book(child, f.unit(town, "PAI"), days[:1])
    result = invoicing.draft_month(town.id, MONTH)
    assert any("PAI" in w for w in result.warnings)
    inv = Invoice.get()
    assert [(li.label, li.quantity) for li in inv.lines] == [("Repas", 3)]


def test_issue_numbers_without_gaps_per_town_and_year_and_freezes_snapshot(app):
    town, other = priced_town(), priced_town()
    hs = [family(town, n) for n in ("Bernard", "André", "Colin")]
    ho = family(other, "Autre")
    for h in hs + [ho]:
        book(h.children[0], f.unit(h.town), weekdays(n=2))
    invoicing.draft_month(town.id, MONTH)
    invoicing.draft_month(other.id, MONTH)
    actor = staff_actor(town)
    today = dt.date(2026, 11, 2)
    ids = invoicing.issue_month(actor, town.id, MONTH, today=today)
    assert len(ids) == 3
    numbers = [Invoice.get_by_id(i).number for i in ids]
    assert numbers == ["F2611-000001", "F2611-000002", "F2611-000003"]
    assert [Invoice.get_by_id(i).household_name for i in ids] == ["André", "Bernard", "Colin"]
    assert invoicing.issue_month(actor, town.id, MONTH, today=today) == []
    other_ids = invoicing.issue_month(staff_actor(other), other.id, MONTH, today=today)
    assert Invoice.get_by_id(other_ids[0]).number == "F2611-000001"
    assert InvoiceCounter.get(InvoiceCounter.town == town.id).last == 3
    history = WorkflowHistory.select().where(
        WorkflowHistory.workflow == "invoice", WorkflowHistory.transition == "issue"
    )
    assert history.count() == 4
    # the snapshot does not follow later changes
    hs[0].name = "Renommé"
    hs[0].save()
    inv = Invoice.get(Invoice.household == hs[0].id)
    assert inv.household_name == "Bernard" and inv.state == "issued"
    assert inv.due_date == today + dt.timedelta(days=30)
    # a new month continues the year's sequence
    h4 = family(town, "Dernier")
    book(h4.children[0], f.unit(town), weekdays(n=1))
    invoicing.draft_month(town.id, MONTH)
    ids = invoicing.issue_month(actor, town.id, MONTH, today=dt.date(2026, 12, 1))
    assert Invoice.get_by_id(ids[0]).number == "F2612-000004"


def test_only_finance_of_the_town_issues(app):
    town, other = priced_town(), priced_town()
    with pytest.raises(Forbidden):
        invoicing.issue_month(staff_actor(other), town.id, MONTH)
    with pytest.raises(Forbidden):
        invoicing.issue_month(staff_actor(town, "approver"), town.id, MONTH)
    invoicing.issue_month(staff_actor(town, "admin"), town.id, MONTH)


def test_discard_drafts_then_redraft_after_a_price_fix(app):
    town = priced_town()
    h = family(town, qf=500)
    book(h.children[0], f.unit(town), weekdays(n=2))
    invoicing.draft_month(town.id, MONTH)
    Price.update(amount_cents=160).where(Price.unit == f.unit(town), Price.qf_min == 0).execute()
    assert invoicing.discard_drafts(staff_actor(town), town.id, MONTH) == 1
    invoicing.draft_month(town.id, MONTH)
    assert Invoice.get().total_cents == 320
