"""The month's figures: booked days, served, absences, occupancy, late cancellations refused
and the outstanding balance, as the page shows them."""

from __future__ import annotations

import datetime as dt
import uuid

from models import Unit
from models.billing import Invoice
from workflows import attendance, figures, invoicing

from .. import factories as f
from .helpers import MONTH, book, family, priced_town, staff_actor, weekdays


def test_the_months_figures(auth, app):
    town = priced_town()
    h = family(town)
    repas = f.unit(town)
    book(h.children[0], repas, weekdays(n=4))
    Unit.update(capacity=10).where(Unit.id == repas.id).execute()
    other = family(town, "Durand")
    d1, d2, *_ = weekdays(n=6)
    book(other.children[0], repas, [d1, d2])
    animator = staff_actor(town, "animator")
    at = dt.datetime.now(dt.UTC)
    attendance.record(
        animator,
        town.id,
        repas.id,
        d1,
        [attendance.MarkSpec(str(uuid.uuid4()), other.children[0].id, "absent", at)],
    )
    attendance.record(
        animator,
        town.id,
        repas.id,
        d2,
        [attendance.MarkSpec(str(uuid.uuid4()), other.children[0].id, "justified", at)],
    )
    invoicing.draft_month(town.id, MONTH)
    invoicing.issue_month(staff_actor(town, "finance"), town.id, MONTH)
    (row,) = [r for r in figures.month_figures(town.id, MONTH) if r.unit_id == repas.id]
    assert (row.booked, row.absent, row.justified, row.served) == (6, 1, 1, 4)
    assert row.no_show_rate == 1 / 6
    assert row.capacity_days and row.occupancy == 6 / row.capacity_days
    total = sum(i.total_cents for i in Invoice.select().where(Invoice.town == town.id))
    assert total == 5 * 150  # the justified absence is not billed
    assert figures.outstanding_cents(town.id) == total

    page = auth.finance(town).get(f"/admin/chiffres/?mois={MONTH:%Y-%m}").get_data(as_text=True)
    assert "6 réservés, 4 servis" in page and "1 (17 %)" in page
    assert auth.staff(town, "editor").get("/admin/chiffres/").status_code == 403
