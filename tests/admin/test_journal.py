"""« Journal de la commune »: the workflow history and the staff's changes in one list, each
object named in words, filtered by who, kind, object, dates and text, exported as CSV;
only the town's rows, and nothing that writes."""

from __future__ import annotations

import datetime as dt

from models import RequestLine, Site

from .. import factories as f
from ..forms import csrf, csrf_token
from .conftest import decide, send

URL = "/admin/journal-commune/"


def _page(client, **query) -> str:
    response = client.get(URL, query_string=query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _edit_site(client, site, name, reason):
    url = f"/admin/structures/edit/?id={site.id}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"name": name, "address": site.address, "audit_reason": reason, "csrf_token": token}
    assert client.post(url, data=data).status_code == 302


def test_decisions_and_changes_in_one_journal(auth, town_a, town_b, wednesdays):
    h = f.household(town_a, "Dupuis", children=("Zoé",), wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays[:1])
    approver = f.staff(town_a, "approver")
    decide(auth.login(approver), [RequestLine.get().id], "accept")
    other = f.household(town_b, "Martin", children=("Léo",), wednesday=True)
    send(town_b, other, "MERCREDI REPAS", wednesdays[:1])  # another town's request

    admin = f.staff(town_a, "admin")
    client = auth.login(admin)
    site = Site.select().where(Site.town == town_a).first()
    _edit_site(client, site, "École du Centre", "Nouveau nom voté en conseil")

    html = _page(client)
    day = f"{wednesdays[0]:%d}".lstrip("0")
    booking = f"Zoé Dupuis – Mercredi repas – mercredi {day}"
    assert booking in html  # the booking said in words, not "Objet n° 12"
    assert "Demandé → Réservé" in html and approver.email in html
    assert "Structure École du Centre" in html and "Nouveau nom voté en conseil" in html
    assert "Léo" not in html  # nothing of the other town

    only_site = _page(client, kind="Structure")
    assert "École du Centre" in only_site and booking not in only_site
    by_approver = _page(client, who=approver.email)
    assert booking in by_approver and "École du Centre" not in by_approver
    assert "École du Centre" in _page(client, text="conseil")
    assert "École du Centre" in _page(client, object_id=site.id, kind="Structure")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert "Aucune ligne" in _page(client, start=tomorrow.isoformat())

    export = client.get(f"{URL}export.csv", query_string={"kind": "Structure"})
    text = export.get_data(as_text=True)
    assert export.mimetype == "text/csv" and "Nouveau nom voté en conseil" in text
    assert booking not in text

    # the decisions' journal names the objects too
    assert booking in client.get("/admin/journal/").get_data(as_text=True)


def test_bad_filters_are_said_in_french_and_nothing_writes(auth, town_a):
    client = auth.admin(town_a)
    html = _page(client, start="2027-02-01", end="2027-01-01")
    assert "La date de fin précède la date de début." in html
    assert "Numéro invalide" in _page(client, object_id="-3")
    token = csrf(client, URL)
    assert client.post(URL, data={"csrf_token": token}).status_code == 405
    assert auth.approver(town_a).get(URL).status_code == 403
