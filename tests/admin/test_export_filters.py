"""Each list's export takes the list's filters: the list screen's export links carry its
current filters and search, and the CSV/XLSX read back holds only the rows the list shows;
the attendance sheet's link exports its day and unit; a filter the list would refuse is a
400, never a wider export."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

from workflows import attendance, billing, decisions, invoicing

from .. import factories as f
from ..billing.helpers import MONTH, book, family, priced_town, staff_actor, weekdays
from .conftest import send
from .test_exports import _csv, _xlsx


def _arg(app, endpoint: str, name: str, operation: str | None = None) -> str:
    """The query-string name Flask-Admin gives a list's filter ("flt0_3")."""
    view = next(v for v in app.extensions["portail_admin"]._views if v.endpoint == endpoint)
    for key, (_, flt) in view._filter_args.items():
        if flt.name == name and (operation is None or str(flt.operation()) == operation):
            return f"flt0_{key}"
    raise LookupError(name)


def _links(page: str) -> dict[str, str]:
    found = re.findall(r'href="([^"]+\.(csv|xlsx)[^"]*)"', page)
    return {fmt: html.unescape(url) for url, fmt in found}


def test_the_bookings_list_exports_its_filters(app, auth, town_a):
    days = f.open_days(n=3)
    martin, durand = f.household(town_a, name="Martin"), f.household(town_a, name="Durand")
    send(town_a, martin, "REPAS", days)
    send(town_a, durand, "REPAS", days)
    decisions.sweep()
    client = auth.approver(town_a)
    flt = {_arg(app, "admin_booking", "Date"): f"{days[1]:%Y-%m-%d} to {days[2]:%Y-%m-%d}"}
    page = client.get("/admin/reservations/", query_string=flt).get_data(as_text=True)
    links = _links(page)
    assert set(links) == {"csv", "xlsx"} and all("flt0_" in u for u in links.values())
    rows = _csv(client.get(links["csv"]))
    assert sorted((r[0], r[3]) for r in rows[1:]) == sorted(
        (d.strftime("%d/%m/%Y"), h) for d in days[1:] for h in ("Martin", "Durand")
    )
    sheet = _xlsx(client.get(links["xlsx"]))
    assert len(sheet) == 1 + 4 and {r[0].date() for r in sheet[1:]} == set(days[1:])
    # without a filter: every booking of the town; a filter the list refuses: a 400
    all_rows = _csv(client.get(_links(client.get("/admin/reservations/").get_data(True))["csv"]))
    assert len(all_rows) == 1 + 6
    bad = client.get("/admin/exports/reservations.csv", query_string={"flt0_99": "x"})
    assert bad.status_code == 400


def test_invoices_payments_and_households_lists_export_their_filters(app, auth):
    town = priced_town()
    martin, durand = family(town, "Martin"), family(town, "Durand")
    for h in (martin, durand):
        book(h.children[0], f.unit(town), weekdays(n=3))
    invoicing.draft_month(town.id, MONTH)
    invoicing.issue_month(staff_actor(town, "finance"), town.id, MONTH)
    actor = staff_actor(town, "finance")
    billing.record_offline_payment(actor, martin.id, "cheque", 300, reference="CHQ 1")
    billing.record_offline_payment(actor, durand.id, "cash", 200, reference="ESP 2")
    client = auth.finance(town)

    page = client.get("/admin/factures/", query_string={"search": "Durand"}).get_data(True)
    rows = _xlsx(client.get(_links(page)["xlsx"]))
    assert [r[2] for r in rows[1:]] == ["Durand"]

    method = _arg(app, "billing_payments", "Mode", "equals")
    page = client.get("/admin/reglements/", query_string={method: "cheque"}).get_data(True)
    rows = _csv(client.get(_links(page)["csv"]))
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [("Martin", "Chèque", "CHQ 1")]

    approver = auth.approver(town)
    page = approver.get("/admin/foyers/", query_string={"search": "Mart"}).get_data(True)
    rows = _csv(approver.get(_links(page)["csv"]))
    assert [r[0] for r in rows[1:]] == ["Martin"]
    # the finance office may not export households: no link on a list it cannot export
    assert "Exporter" not in client.get("/admin/foyers/").get_data(True)


def test_the_attendance_sheet_exports_its_day_and_unit(auth, town_a):
    days = f.open_days(n=2)
    h = f.household(town_a, name="Martin")
    send(town_a, h, "REPAS", days)
    send(town_a, h, "GARDERIE MATIN", days)
    decisions.sweep()
    animator_actor = staff_actor(town_a, "animator")
    for code in ("REPAS", "GARDERIE MATIN"):
        for day in days:
            spec = attendance.MarkSpec(
                str(uuid.uuid4()), h.children[0].id, "present", dt.datetime.now(dt.UTC)
            )
            attendance.record(animator_actor, town_a.id, f.unit(town_a, code).id, day, [spec])
    client = auth.approver(town_a)
    unit = f.unit(town_a, "REPAS")
    page = client.get(
        "/admin/pointage/", query_string={"unit": unit.id, "date": days[1].isoformat()}
    ).get_data(True)
    rows = _csv(client.get(_links(page)["csv"]))
    assert [(r[0], r[2], r[5]) for r in rows[1:]] == [
        (days[1].strftime("%d/%m/%Y"), unit.label, "Présent")
    ]
    other = f.unit(f.town("villeb"), "REPAS")
    resp = client.get(
        "/admin/exports/pointage.csv",
        query_string={"du": days[1].isoformat(), "au": days[1].isoformat(), "prestation": other.id},
    )
    assert resp.status_code == 404
