"""Ma famille, Mon compte and the connection history."""

import datetime as dt

from models import Household, utcnow
from models.accounts import ConnectionLog, HouseholdChange, PickupPerson
from workflows import sessions

from .. import factories as f
from ..forms import post_form


def test_family_page_shows_children_read_only(parent_client, family):
    from models import Child

    Child.update(meal_option="sans porc", has_pai=True).where(Child.first_name == "Léa").execute()
    html = parent_client.get("/ma-famille").get_data(as_text=True)
    assert "Léa" in html and "Hugo" in html and "sans porc" in html
    assert "contactez" in html  # who to ask for what is read-only


def test_parent_edits_address_and_staff_see_the_change(parent_client, family):
    r = post_form(
        parent_client,
        "/ma-famille",
        {"h-address": "3 rue Neuve", "h-caf_number": "1234567"},
        action="/ma-famille/foyer",
    )
    assert r.status_code == 302
    h = Household.get_by_id(family.id)
    assert h.address == "3 rue Neuve" and h.caf_number == "1234567"
    fields = {c.field: c.new_value for c in HouseholdChange.select()}
    assert fields == {"Adresse": "3 rue Neuve", "N° allocataire CAF": "1234567"}


def test_guardian_contact_and_pickup_persons(parent_client, family):
    g = family.guardians[0]
    r = post_form(
        parent_client,
        "/ma-famille",
        {f"g{g.id}-email": "autre@exemple.fr", f"g{g.id}-phone": "06 11 22 33 44"},
        action=f"/ma-famille/responsables/{g.id}",
    )
    assert r.status_code == 302
    r = post_form(
        parent_client,
        "/ma-famille",
        {"p-first_name": "Jeanne", "p-last_name": "Martin", "p-relation": "grand-mère"},
        action="/ma-famille/personnes-autorisees",
    )
    assert r.status_code == 302
    person = PickupPerson.get()
    assert "Jeanne" in parent_client.get("/ma-famille").get_data(as_text=True)
    post_form(
        parent_client,
        "/ma-famille",
        {},
        action=f"/ma-famille/personnes-autorisees/{person.id}/supprimer",
    )
    assert PickupPerson.select().count() == 0
    assert HouseholdChange.select().count() == 4  # e-mail, phone, added, removed


def test_bad_email_is_refused_in_french(parent_client, family):
    g = family.guardians[0]
    r = post_form(
        parent_client,
        "/ma-famille",
        {f"g{g.id}-email": "pas une adresse"},
        action=f"/ma-famille/responsables/{g.id}",
    )
    assert r.status_code == 400
    assert "n&#39;est pas valable" in r.get_data(as_text=True)


def test_my_account_shows_qf_and_town_contact(parent_client, family):
    html = parent_client.get("/mon-compte").get_data(as_text=True)
    assert f"Quotient familial : {family.qf}" in html
    assert "periscolaire@demo.fr" in html


def test_connection_history_by_week_and_month(parent_client, family):
    account = f.account(family)
    ConnectionLog.create(
        account=account, at=utcnow() - dt.timedelta(days=40), device="Firefox sur Linux"
    )
    html = parent_client.get("/mon-compte/historique?vue=semaine").get_data(as_text=True)
    assert html.count("<tr><td>") == 1  # the login of this test
    today = dt.date.today()
    past = (today - dt.timedelta(days=40)).isoformat()
    html = parent_client.get(f"/mon-compte/historique?vue=mois&date={past}").get_data(as_text=True)
    assert "Firefox sur Linux" in html


def test_device_label():
    ua = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0 Safari/537.36"
    )
    assert sessions.device_label(ua) == "Chrome sur Windows"
    assert sessions.device_label(None) == "Navigateur inconnu"
