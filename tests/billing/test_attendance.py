"""Attendance marks and what billing makes of them: present and unjustified absence billed,
justified absence not, an unplanned presence at the walk-in price; a mark sent twice or
late from another tablet counted once; the month locked once invoiced; bad marks refused
in French with nothing saved."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from models import AttendanceMark, AuditEntry, WalkInPrice
from models.billing import Invoice, InvoiceLine
from workflows import attendance, invoicing
from workflows.attendance import AttendanceError, MarkSpec
from workflows.calendar import PARIS

from .. import factories as f
from .helpers import MONTH, book, family, priced_town, staff_actor, weekdays

AT = dt.datetime(2026, 1, 1, 12, 0, tzinfo=PARIS)


def _mark(child, status, unplanned=False, at=AT, mark_id=None):
    return MarkSpec(mark_id or str(uuid.uuid4()), child.id, status, at, unplanned)


def test_billing_reads_the_marks(app):
    town = priced_town()
    repas = f.unit(town)
    WalkInPrice.create(unit=repas, amount_cents=500)
    h = family(town, qf=500)
    lea = h.children[0]
    d1, d2, d3, d4, d5 = weekdays(n=5)
    book(lea, repas, [d1, d2, d3, d4])
    animator = actor = staff_actor(town, "animator")
    attendance.record(actor, town.id, repas.id, d1, [_mark(lea, "present")])
    attendance.record(actor, town.id, repas.id, d2, [_mark(lea, "absent")])
    attendance.record(actor, town.id, repas.id, d3, [_mark(lea, "justified")])
    attendance.record(animator, town.id, repas.id, d5, [_mark(lea, "present", unplanned=True)])
    rows = attendance.sheet(town.id, repas.id, d5)
    assert [(r.name, r.planned, r.status) for r in rows] == [("Martin Léa", False, "present")]

    invoicing.draft_month(town.id, MONTH)
    invoice = Invoice.get(Invoice.household == h.id)
    lines = sorted(
        (li.label, li.quantity, li.unit_price_cents)
        for li in InvoiceLine.select().where(InvoiceLine.invoice == invoice)
    )
    # d1 present, d2 absent (unjustified), d4 unmarked: 3 at the QF price; d5 at walk-in
    assert lines == [("Repas", 1, 500), ("Repas", 3, 150)]
    assert invoice.total_cents == 950

    invoicing.issue_month(staff_actor(town, "finance"), town.id, MONTH)
    with pytest.raises(AttendanceError) as e:
        attendance.record(actor, town.id, repas.id, d4, [_mark(lea, "absent")])
    assert e.value.message_fr == "Ce mois est facturé : le pointage ne peut plus être modifié."


def test_a_household_with_only_an_unplanned_presence_is_invoiced(app):
    town = priced_town()
    h = family(town, qf=500)
    day = weekdays(n=1)[0]
    attendance.record(
        staff_actor(town, "approver"),
        town.id,
        f.unit(town).id,
        day,
        [_mark(h.children[0], "present", unplanned=True)],
    )
    assert attendance.is_locked(town.id, day) is False
    invoicing.draft_month(town.id, MONTH)
    assert Invoice.get(Invoice.household == h.id).total_cents == 150  # no walk-in price


def test_marks_sent_twice_or_late_are_kept_once(app):
    town = priced_town()
    repas = f.unit(town)
    lea = family(town).children[0]
    day = weekdays(n=1)[0]
    book(lea, repas, [day])
    actor = staff_actor(town, "animator")
    first = _mark(lea, "absent", at=AT)
    newer = _mark(lea, "present", at=AT + dt.timedelta(minutes=5))
    assert attendance.record(actor, town.id, repas.id, day, [first]) == {first.mark_id: "absent"}
    assert attendance.record(actor, town.id, repas.id, day, [first]) == {first.mark_id: "absent"}
    attendance.record(actor, town.id, repas.id, day, [newer])
    # the first tablet's older mark arrives again, after the newer one: the newer stays
    assert attendance.record(actor, town.id, repas.id, day, [first]) == {first.mark_id: "present"}
    assert AttendanceMark.select().count() == 1


def test_bad_marks_are_refused_in_french_and_nothing_is_saved(app):
    town, other = priced_town(), priced_town()
    repas = f.unit(town)
    h = family(town)
    lea = h.children[0]
    stranger = family(other, name="Durand").children[0]
    day = weekdays(n=1)[0]
    book(lea, repas, [day])
    actor = staff_actor(town, "animator")
    with pytest.raises(AttendanceError) as e:
        attendance.record(
            actor, town.id, repas.id, day, [_mark(lea, "present"), _mark(stranger, "present")]
        )
    assert e.value.message_fr.startswith("Cet enfant n'est pas attendu ce jour")
    with pytest.raises(AttendanceError) as e:
        attendance.record(actor, town.id, repas.id, day, [_mark(stranger, "present", True)])
    assert e.value.code == "not_expected"  # another town's child cannot be added either
    with pytest.raises(AttendanceError) as e:
        attendance.record(actor, town.id, f.unit(other).id, day, [_mark(lea, "present")])
    assert e.value.message_fr == "Prestation inconnue."
    with pytest.raises(AttendanceError) as e:
        attendance.record(staff_actor(town, "finance"), town.id, repas.id, day, [])
    assert e.value.code == "forbidden"
    assert AttendanceMark.select().count() == 0


def test_the_billing_office_sets_walk_in_prices(auth, app):
    from ..forms import post_form

    town = priced_town()
    repas, pai = f.unit(town), f.unit(town, "PAI")
    client = auth.finance(town)
    resp = post_form(
        client,
        "/admin/tarifs-sans-reservation/",
        {f"unit-{repas.id}": "6,50", f"unit-{pai.id}": ""},
        follow_redirects=True,
    )
    assert "Tarifs enregistrés." in resp.get_data(as_text=True)
    assert attendance.walk_in_prices(town.id) == {repas.id: 650}
    (entry,) = AuditEntry.select()  # only the price that changed
    assert entry.what == f"Tarif sans réservation – {repas.label}"
    assert json.loads(entry.changes) == {"montant": ["", "6,50 €"]}
    resp = post_form(client, "/admin/tarifs-sans-reservation/", {f"unit-{repas.id}": "six"})
    assert "Montant illisible." in resp.get_data(as_text=True)
    assert attendance.walk_in_prices(town.id) == {repas.id: 650}
    assert AuditEntry.select().count() == 1
    assert auth.approver(town).get("/admin/tarifs-sans-reservation/").status_code == 403
