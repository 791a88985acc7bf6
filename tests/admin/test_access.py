"""Only staff reach the admin, and only their own town's data."""

from __future__ import annotations

import pytest

from models import Booking, Child, Household, RequestLine

from .. import factories as f
from ..forms import login_through
from .conftest import decide, send, worklist_page

SCREENS = [
    "/admin/",
    "/admin/demandes-a-traiter/",
    "/admin/foyers/",
    "/admin/enfants/",
    "/admin/prestations/",
    "/admin/journal/",
    "/admin/comptes/",
]


@pytest.mark.parametrize("url", SCREENS)
def test_a_visitor_is_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize("url", SCREENS)
def test_a_parent_is_turned_away(auth, town_a, url):
    assert auth.parent(f.household(town_a)).get(url).status_code == 403


def test_staff_land_on_the_admin_after_login(app, client, town_a):
    staff = f.staff(town_a)
    response = login_through(client, staff.email)  # the password, then the second factor
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Demandes à traiter" in page.get_data(as_text=True)


def test_a_finance_agent_has_no_worklist(auth, town_a):
    client = auth.finance(town_a)
    assert client.get("/admin/foyers/").status_code == 200
    assert worklist_page(client).status_code == 403


def test_staff_of_another_town_see_nothing_of_it(auth, town_a, town_b, wednesdays):
    h = f.household(town_a, "Dupuis", children=("Zoé",), wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays)
    f.household(town_b, "Bernard", children=("Hugo",), wednesday=True)
    client = auth.approver(town_b)

    html = worklist_page(client).get_data(as_text=True)
    assert "Zoé" not in html and "Dupuis" not in html
    assert "Aucune ligne en attente" in html
    assert "Dupuis" not in client.get("/admin/foyers/").get_data(as_text=True)
    assert "Bernard" in client.get("/admin/foyers/").get_data(as_text=True)

    household = Household.get(Household.name == "Dupuis")
    child = Child.get(Child.first_name == "Zoé")
    line = RequestLine.select().first()
    booking = Booking.select().first()
    admin_b = auth.admin(town_b)
    for url in (f"/admin/foyers/edit/?id={household.id}", f"/admin/enfants/edit/?id={child.id}"):
        assert client.get(url).status_code == 403, url  # an approver edits no family
        assert admin_b.get(url).status_code == 404, url  # nor another town's admin
    for url in (
        f"/admin/foyers/details/?id={household.id}",
        f"/admin/lignes/details/?id={line.id}",
        f"/admin/reservations/details/?id={booking.id}",
        f"/admin/demandes/details/?id={line.request_id}",
    ):
        assert client.get(url).status_code == 404, url


def test_staff_cannot_decide_another_towns_lines(auth, town_a, town_b, wednesdays):
    h = f.household(town_a, "Dupuis", wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays[:1])
    f.household(town_b, "Bernard", wednesday=True)
    client = auth.approver(town_b)
    line = RequestLine.get()
    decide(client, [line.id], "accept")
    assert RequestLine.get_by_id(line.id).state == "pending"
    assert Booking.get().state == "requested"


def test_staff_read_their_errors_in_french_in_the_admin_layout(auth, town_a):
    client = auth.approver(town_a)
    refused = client.get("/admin/comptes/")
    assert refused.status_code == 403
    html = refused.get_data(as_text=True)
    assert "Cette page ne vous est pas accessible" in html
    assert "Se déconnecter" in html and "Demandes à traiter" in html  # the admin's menu
    missing = client.get("/admin/prestations/details/?id=999999")
    assert missing.status_code == 404 and "existe pas" in missing.get_data(as_text=True)
    expired = client.post("/admin/demandes-a-traiter/", data={"decision": "accept"})
    assert expired.status_code == 400
    text = expired.get_data(as_text=True)
    assert "Le formulaire a expiré" in text and "Se déconnecter" in text
