"""Staff screens: invite a household (e-mail with a 7-day one-time link), bulk invite from
the town's CSV, decide enrolment requests, see the household change history; all scoped to
the staff member's town and with CSRF on."""

import io

import pytest

from models import Account, Guardian, Household
from models.accounts import EnrolmentOffer
from models.catalogue import Enrolment
from workflows import accounts, enrolments, households

from .. import factories as f
from ..forms import csrf_token, login, post_form
from .conftest import drain, link_in, mails_to, path_of


@pytest.fixture
def admin_client(auth, town):
    return auth.staff(town, "admin,approver")


def _household_without_login(town, name="Roux", email="roux@exemple.fr"):
    h = Household.create(town=town, name=name)
    Guardian.create(household=h, first_name="Léon", last_name=name, email=email, is_reference=True)
    return h


def test_invite_then_choose_password_then_login(app, town, admin_client, queue):
    h = _household_without_login(town)
    r = post_form(
        admin_client,
        "/admin/comptes-foyers/",
        {"household": [str(h.id)]},
        action="/admin/comptes-foyers/inviter",
    )
    assert r.status_code == 302
    assert not Account.get(Account.email == "roux@exemple.fr").is_active
    drain(queue)
    [mail] = mails_to(app, "roux@exemple.fr")
    assert "valable 7 jours" in mail.get_body(preferencelist=("plain",)).get_content()
    url = path_of(link_in(mail, "/invitation/"))
    parent = app.test_client()
    r = post_form(
        parent, url, {"password": "notre phrase de famille", "confirm": "notre phrase de famille"}
    )
    assert r.status_code == 302
    assert login(parent, "roux@exemple.fr", "notre phrase de famille").status_code == 302
    assert parent.get("/ma-famille").status_code == 200
    assert app.test_client().get(url).status_code == 410  # once only


def test_bulk_invite_from_csv(app, town, admin_client, queue):
    _household_without_login(town, "Blanc", "blanc@exemple.fr")
    csv_text = (
        "Nom du foyer;Civilité;Prénom;Nom;E-mail;Téléphone;Adresse;CAF\n"
        "Famille Noir;Mme;Iris;Noir;iris.noir@exemple.fr;0600;1 rue A;123\n"
        "Blanc;M.;Léon;Blanc;blanc@exemple.fr;;;\n"
        "Sans mail;M.;Paul;Vide;;;;\n"
    )
    page = admin_client.get("/admin/comptes-foyers/").get_data(as_text=True)
    r = admin_client.post(
        "/admin/comptes-foyers/import",
        data={
            "csrf_token": csrf_token(page),
            "file": (io.BytesIO(csv_text.encode("utf-8")), "foyers.csv"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = r.get_data(as_text=True)
    assert "2 invitation(s) envoyée(s) sur 3 ligne(s)" in html
    assert "Ligne 4" in html
    assert Household.select().where(Household.town == town.id).count() == 2
    drain(queue)
    assert mails_to(app, "iris.noir@exemple.fr") and mails_to(app, "blanc@exemple.fr")


def test_invite_is_town_scoped_and_admin_only(app, auth, town, other_town, queue):
    theirs = _household_without_login(other_town, "Autre", "autre@exemple.fr")
    client = auth.admin(town)
    post_form(
        client,
        "/admin/comptes-foyers/",
        {"household": [str(theirs.id)]},
        action="/admin/comptes-foyers/inviter",
    )
    assert Account.get_or_none(Account.email == "autre@exemple.fr") is None
    approver = auth.approver(town)
    assert approver.get("/admin/comptes-foyers/").status_code == 403
    assert app.test_client().get("/admin/comptes-foyers/").status_code == 302


def test_existing_parent_invited_by_a_second_town_is_linked(app, town, other_town, family, queue):
    h = _household_without_login(other_town, "Martin", family._email)
    guardian = Guardian.get(Guardian.household == h.id)
    account, needs_link = households.invite_guardian(guardian)
    assert account.id == f.account(family).id and not needs_link
    assert {x.town_id for x in accounts.households_of(account)} == {town.id, other_town.id}


def test_enrolment_request_decided_in_the_admin(app, town, family, admin_client, queue):
    d = town._demo
    EnrolmentOffer.create(service=d["wednesday"], site=d["leisure"], capacity=5)
    start, end = enrolments.school_years()[0]
    e = enrolments.request_enrolment(
        f.parent_actor(family),
        enrolments.EnrolmentSpec(
            family.children[0].id, d["wednesday"].id, d["leisure"].id, start, end, "3"
        ),
    )
    page = admin_client.get("/admin/demandes-inscription/").get_data(as_text=True)
    assert "Léa" in page and "Demandée" in page
    r = admin_client.post(
        "/admin/demandes-inscription/",
        data={"csrf_token": csrf_token(page), "enrolment": [str(e.id)], "decision": "refuse"},
        follow_redirects=True,
    )
    assert "Indiquez le motif du refus" in r.get_data(as_text=True)
    r = admin_client.post(
        "/admin/demandes-inscription/",
        data={"csrf_token": csrf_token(page), "enrolment": [str(e.id)], "decision": "accept"},
        follow_redirects=True,
    )
    assert "1 demande(s) acceptée(s)" in r.get_data(as_text=True)
    assert Enrolment.get_by_id(e.id).state == "active"
    drain(queue)
    assert "inscrit" in mails_to(app, family._email)[0]["Subject"].lower()


def test_household_change_history_in_the_admin(app, town, family, admin_client, other_town):
    households.update_household(family, f.account(family), {"address": "9 rue Haute"})
    other = f.household(other_town, "Loin")
    households.update_household(other, None, {"address": "ailleurs"})
    html = admin_client.get("/admin/historique-foyers/").get_data(as_text=True)
    assert "9 rue Haute" in html and "ailleurs" not in html


def test_online_offers_screen(admin_client, town):
    assert admin_client.get("/admin/inscriptions-en-ligne/").status_code == 200
    assert admin_client.get("/admin/inscriptions-en-ligne/new/").status_code == 200
