"""The plain screens: they render, stay in the town, and keep workflow rows read-only."""

from __future__ import annotations

import re

import pytest

from models import Account, Child, Closure, Household, RequestLine, Unit

from .. import factories as f
from ..forms import csrf_token
from .conftest import decide, send

LISTS = [
    "foyers",
    "responsables",
    "enfants",
    "inscriptions",
    "services",
    "structures",
    "prestations",
    "fermetures",
    "demandes",
    "lignes",
    "reservations",
    "journal",
    "comptes",
]


@pytest.fixture
def staff_client(auth, town_a, wednesdays):
    """An approver of town A logged in, with one household that sent requests, some
    decided: every screen has rows."""
    h = f.household(town_a, "Dupuis", children=("Zoé",), wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays)
    client = auth.admin(town_a)
    first = RequestLine.select().order_by(RequestLine.id).first()
    decide(client, [first.id], "refuse", "Complet")
    Closure.create(town=town_a, start=wednesdays[-1], end=wednesdays[-1], reason="Sortie")
    return client


@pytest.mark.parametrize("slug", LISTS)
def test_every_list_and_detail_renders(staff_client, slug):
    response = staff_client.get(f"/admin/{slug}/")
    assert response.status_code == 200, slug
    html = response.get_data(as_text=True)
    assert "argon2" not in html
    ids = re.findall(rf"/admin/{slug}/details/\?id=(\d+)", html)
    assert ids, f"no row in {slug}"
    assert staff_client.get(f"/admin/{slug}/details/?id={ids[0]}").status_code == 200


@pytest.mark.parametrize("slug", ["demandes", "lignes", "reservations", "journal"])
def test_workflow_rows_are_read_only(staff_client, slug):
    assert staff_client.get(f"/admin/{slug}/new/").status_code == 403  # nobody creates them
    html = staff_client.get(f"/admin/{slug}/").get_data(as_text=True)
    assert f"/admin/{slug}/edit/" not in html and f"/admin/{slug}/new/" not in html
    assert f"/admin/{slug}/delete/" not in html


def test_accounts_never_show_the_password_hash(staff_client):
    html = staff_client.get("/admin/comptes/").get_data(as_text=True)
    assert "password" not in html.lower() and "$argon2" not in html
    account = Account.get(Account.is_staff == True)  # noqa: E712
    html = staff_client.get(f"/admin/comptes/edit/?id={account.id}").get_data(as_text=True)
    assert "password" not in html.lower() and "$argon2" not in html


def test_an_approver_cannot_edit_accounts(auth, town_a):
    staff = f.staff(town_a, roles="approver")
    client = auth.login(staff)
    assert client.get(f"/admin/comptes/edit/?id={staff.id}").status_code == 403
    assert client.get("/admin/comptes/").status_code == 403  # not even the list


def test_history_filters_by_workflow_and_transition(staff_client):
    def rows(**params):
        html = staff_client.get("/admin/journal/", query_string=params).get_data(as_text=True)
        return html, len(re.findall(r"/admin/journal/details/\?id=\d+", html))

    html, total = rows()
    assert total > 4 and "Complet" in html
    # Flask-Admin names filters flt<n>_<index in column_filters>: 0 workflow, 1 transition.
    html, n = rows(flt0_1="refuse")
    assert n == 1 and "Complet" in html and "Demandé" in html and "Libre" in html
    html, n = rows(flt0_0="booking", flt1_1="request")
    assert n == 3 and "Complet" not in html
    html, n = rows(flt0_0="request")
    assert 0 < n < total and "Complet" not in html


def test_a_household_created_here_belongs_to_the_town(staff_client, town_a, town_b):
    page = staff_client.get("/admin/foyers/new/")
    token = csrf_token(page.get_data(as_text=True))
    response = staff_client.post(
        "/admin/foyers/new/",
        data={
            "csrf_token": token,
            "name": "Nouveau",
            "address": "1 rue Neuve",
            "caf_number": "",
            "qf": "800",
            "dependent_children": "1",
        },
    )
    assert response.status_code == 302
    assert Household.get(Household.name == "Nouveau").town_id == town_a.id


def test_a_form_offers_and_accepts_only_the_towns_rows(staff_client, town_a, town_b):
    other = f.household(town_b, "Lointain")
    html = staff_client.get("/admin/enfants/new/").get_data(as_text=True)
    assert "Dupuis" in html and "Lointain" not in html
    token = csrf_token(html)
    response = staff_client.post(
        "/admin/enfants/new/",
        data={
            "csrf_token": token,
            "household": str(other.id),
            "first_name": "Intrus",
            "last_name": "Lointain",
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert not Child.select().where(Child.first_name == "Intrus").exists()


def test_a_form_without_its_token_is_refused(staff_client):
    response = staff_client.post("/admin/foyers/new/", data={"name": "Sans jeton"})
    assert response.status_code == 400
    assert not Household.select().where(Household.name == "Sans jeton").exists()


def test_unit_approval_mode_is_a_choice(staff_client, town_a):
    unit = f.unit(town_a, "REPAS")
    html = staff_client.get(f"/admin/prestations/edit/?id={unit.id}").get_data(as_text=True)
    assert "Par un agent" in html and "jours ouvrés" in html
    assert Unit.get_by_id(unit.id).approval_mode == "timer"


def test_closures_delete_stays_in_the_town(staff_client, town_a, town_b, wednesdays):
    mine = Closure.create(town=town_a, start=wednesdays[0], end=wednesdays[0], reason="Grève")
    theirs = Closure.create(town=town_b, start=wednesdays[0], end=wednesdays[0], reason="Pont")
    html = staff_client.get("/admin/fermetures/").get_data(as_text=True)
    assert "Grève" in html and "Pont" not in html
    token = csrf_token(html)
    response = staff_client.post(
        "/admin/fermetures/action/",
        data={
            "csrf_token": token,
            "action": "delete",
            "rowid": [str(mine.id), str(theirs.id)],
        },
    )
    assert response.status_code == 302
    assert not Closure.select().where(Closure.id == mine.id).exists()
    assert Closure.select().where(Closure.id == theirs.id).exists()


def test_a_closure_created_here_cancels_the_bookings_it_covers(staff_client, town_a, wednesdays):
    from models import Booking, WorkflowHistory

    html = staff_client.get("/admin/demandes-a-traiter/").get_data(as_text=True)
    decide(staff_client, [int(i) for i in re.findall(r'name="line" value="(\d+)"', html)], "accept")
    booked = Booking.get(Booking.date == wednesdays[1])
    assert booked.state == "booked"
    token = csrf_token(staff_client.get("/admin/fermetures/new/").get_data(as_text=True))
    day = wednesdays[1].isoformat()
    response = staff_client.post(
        "/admin/fermetures/new/",
        data={
            "csrf_token": token,
            "start": day,
            "end": day,
            "site": "__None",
            "reason": "Grève",
        },
        follow_redirects=True,
    )
    assert "1 réservation(s) annulée(s)" in response.get_data(as_text=True)
    assert Closure.get(Closure.reason == "Grève").town_id == town_a.id
    assert Booking.get_by_id(booked.id).state == "free"
    row = WorkflowHistory.get(WorkflowHistory.transition == "cancel_by_town")
    assert (row.role, row.comment) == ("admin", "Grève")


def test_an_approver_cannot_close_days(auth, town_a):
    client = auth.approver(town_a)
    assert client.get("/admin/fermetures/new/").status_code == 403
    assert "/admin/fermetures/new/" not in client.get("/admin/fermetures/").get_data(as_text=True)
