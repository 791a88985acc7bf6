"""Exports read back: bookings, attendance and households for the approvers, invoices and
payments for the billing office, as CSV and XLSX, limited to the town."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from openpyxl import load_workbook

from workflows import attendance, billing, decisions

from .. import factories as f
from ..billing.helpers import MONTH, issued_invoice, staff_actor
from .conftest import send


def _csv(resp):
    assert resp.status_code == 200, resp.status_code
    return list(
        csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )


def _xlsx(resp):
    assert resp.status_code == 200, resp.status_code
    sheet = load_workbook(io.BytesIO(resp.data), read_only=True).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_bookings_attendance_and_households(auth, town_a, town_b, school_days):
    h = f.household(town_a, name="Martin")
    f.household(town_b, name="Ailleurs")
    send(town_a, h, "REPAS", school_days)
    decisions.sweep()
    day = school_days[0]
    attendance.record(
        staff_actor(town_a, "animator"),
        town_a.id,
        f.unit(town_a).id,
        day,
        [
            attendance.MarkSpec(
                str(uuid.uuid4()), h.children[0].id, "justified", dt.datetime.now(dt.UTC)
            )
        ],
    )
    client = auth.approver(town_a)
    page = client.get("/admin/exports/").get_data(as_text=True)
    assert "Réservations" in page and "Factures" not in page
    period = {"du": day.isoformat(), "au": school_days[-1].isoformat()}
    rows = _csv(client.get("/admin/exports/reservations.csv", query_string=period))
    assert rows[0][:4] == ["date", "structure", "prestation", "foyer"]
    assert [r[0] for r in rows[1:]] == [d.strftime("%d/%m/%Y") for d in school_days]
    assert {r[3] for r in rows[1:]} == {"Martin"}
    marks = _xlsx(client.get("/admin/exports/pointage.xlsx", query_string=period))
    assert marks[1][3:6] == ["Martin Léa", "CE1", "Absence justifiée"]
    people = _csv(client.get("/admin/exports/foyers.csv", query_string=period))
    assert [r[0] for r in people[1:]] == ["Martin"]
    assert client.get("/admin/exports/factures.csv", query_string=period).status_code == 403
    other = town_b._demo["schools"][0].id
    resp = client.get("/admin/exports/reservations.csv", query_string={**period, "site": other})
    assert resp.status_code == 404


def test_invoices_and_payments_for_the_billing_office(auth, app):
    town, h, invoice = issued_invoice(days=4)
    billing.record_offline_payment(
        staff_actor(town, "finance"), h.id, "cheque", 300, reference="CHQ 12"
    )
    client = auth.finance(town)
    period = {"du": MONTH.isoformat(), "au": dt.date.today().isoformat()}
    rows = _xlsx(client.get("/admin/exports/factures.xlsx", query_string=period))
    assert rows[0][:5] == ["numéro", "mois", "foyer", "état", "total (€)"]
    assert rows[1][0] == invoice.number and rows[1][4] == invoice.total_cents / 100
    pays = _csv(client.get("/admin/exports/reglements.csv", query_string=period))
    assert pays[1][1] == "Martin" and pays[1][4] == "3,00" and pays[1][5] == "CHQ 12"
    assert client.get("/admin/exports/reservations.csv", query_string=period).status_code == 403
