"""The kitchen's screen: a day's meals per site, unit and option, the children expected, a
site's week, the printable page, the PDF and the CSV; only for the roles of its row in the
permission table."""

from __future__ import annotations

import csv
import io

from models import Child
from workflows import decisions
from workflows.permissions import TABLE

from .. import factories as f
from ..billing.helpers import pdftotext
from .conftest import send


def _booked(town, days):
    martin = f.household(town, name="Martin")
    durand = f.household(town, name="Durand")
    Child.update(meal_option="sans porc").where(Child.household == martin.id).execute()
    Child.update(has_pai=True, class_name="CP").where(Child.household == durand.id).execute()
    send(town, martin, "REPAS", days)
    send(town, durand, "PAI", days[:1])
    decisions.sweep()
    return martin, durand


def test_the_day_page_counts_and_lists(auth, town_a, school_days):
    _booked(town_a, school_days)
    day = school_days[0].isoformat()
    client = auth.approver(town_a)
    page = client.get(f"/admin/effectifs/?date={day}").get_data(as_text=True)
    assert "Effectifs <strong>provisoires</strong>" in page
    assert "École Jean Moulin" in page and "sans porc" in page
    assert "Durand Léa" in page and "Martin Léa" in page
    week = client.get(f"/admin/effectifs/?date={day}&vue=semaine").get_data(as_text=True)
    assert "kitchen-week" in week
    printable = client.get(f"/admin/effectifs/imprimer?date={day}").get_data(as_text=True)
    assert "Enfants attendus (2)" in printable

    text = pdftotext(client.get(f"/admin/effectifs/pdf?date={day}").data)
    assert "Effectifs repas" in text and "Enfants attendus (2)" in text and "Durand" in text

    resp = client.get(f"/admin/effectifs/csv?date={day}")
    assert resp.mimetype == "text/csv"
    rows = list(
        csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert rows[0] == ["date", "structure", "statut", "prestation", "régime", "repas"]
    assert [day, "École Jean Moulin", "provisoire", "REPAS", "", "1"] in rows
    assert [day, "École Jean Moulin", "provisoire", "PAI", "", "1"] in rows
    assert [day, "École Jean Moulin", "provisoire", "", "sans porc", "1"] in rows
    assert ["École Jean Moulin", "PAI", "Durand", "Léa", "CP", "", "oui"] in rows


def test_another_towns_site_and_a_summer_date_are_told_in_french(auth, town_a, town_b):
    client = auth.approver(town_a)
    other = town_b._demo["schools"][0].id
    page = client.get(f"/admin/effectifs/?date=2026-12-07&site={other}").get_data(as_text=True)
    assert "Structure inconnue." in page
    page = client.get("/admin/effectifs/?date=2027-08-02").get_data(as_text=True)
    assert "en dehors de l&#39;année scolaire" in page
    assert client.get(f"/admin/effectifs/pdf?date=2026-12-07&site={other}").status_code == 400


def test_only_the_roles_of_the_screen(auth, town_a):
    assert TABLE["admin_kitchen"]["list"] == {"approver"}  # and admin, who holds every role
    assert auth.admin(town_a).get("/admin/effectifs/").status_code == 200
    for roles in ("finance", "editor"):
        assert auth.staff(town_a, roles).get("/admin/effectifs/").status_code == 403
    parent = auth.parent(f.household(town_a))
    assert parent.get("/admin/effectifs/").status_code in (302, 403)
