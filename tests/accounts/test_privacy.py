"""The household's data download, anonymisation of a household that left (invoices kept),
the connection-log purge on the timer, and the CNIL limits on diet and health fields."""

import datetime as dt
import json

import pytest

from models import Account, Child, Guardian, Household, utcnow
from models.accounts import ConnectionLog
from models.billing import Invoice
from models.catalogue import Enrolment
from workflows import privacy

from .. import factories as f
from ..forms import login, post_form


def test_household_downloads_its_data(parent_client, family):
    r = parent_client.get("/mon-compte/mes-donnees")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    data = json.loads(r.data)
    assert {c["first_name"] for c in data["children"]} == {"Léa", "Hugo"}
    assert data["account"]["email"] == family._email
    assert data["account"]["connections"]  # this test's login
    assert data["children"][0]["enrolments"]


def _end_all(h):
    Enrolment.update(state="ended", end=dt.date.today() - dt.timedelta(days=1)).where(
        Enrolment.child.in_(Child.select(Child.id).where(Child.household == h.id))
    ).execute()


def test_anonymise_refused_while_enrolled(town, family):
    with pytest.raises(privacy.PrivacyError):
        privacy.anonymise_household(family, None)


def test_anonymise_keeps_invoices_and_closes_the_login(app, town, family):
    invoice = Invoice.create(
        town=town,
        household=family,
        month=dt.date(2025, 9, 1),
        state="issued",
        number="F2509-000001",
        total_cents=4200,
        household_name="Martin",
        household_address="1 rue des Écoles",
    )
    account = f.account(family)
    _end_all(family)
    privacy.anonymise_household(family, None)
    h = Household.get_by_id(family.id)
    assert h.name.startswith("Foyer anonymisé") and h.address == "" and h.qf is None
    assert {c.first_name for c in Child.select().where(Child.household == h.id)} == {"Enfant"}
    assert Guardian.get(Guardian.household == h.id).email == ""
    acc = Account.get_by_id(account.id)
    assert not acc.is_active and acc.email.endswith("@invalid")
    kept = Invoice.get_by_id(invoice.id)
    assert (kept.number, kept.total_cents, kept.household_name) == ("F2509-000001", 4200, "Martin")
    assert login(app.test_client(), family._email, f.PASSWORD).status_code == 200  # refused


def test_staff_anonymise_from_the_admin(auth, town, family):
    client = auth.admin(town)
    r = post_form(
        client,
        "/admin/comptes-foyers/",
        {"household": str(family.id)},
        action="/admin/comptes-foyers/anonymiser",
        follow_redirects=True,
    )
    assert "inscription en cours" in r.get_data(as_text=True)
    _end_all(family)
    post_form(
        client,
        "/admin/comptes-foyers/",
        {"household": str(family.id)},
        action="/admin/comptes-foyers/anonymiser",
    )
    assert Household.get_by_id(family.id).name.startswith("Foyer anonymisé")


def test_purge_job_deletes_connections_older_than_12_months(app, family):
    from jobs.maintenance import purge_personal_logs

    account = f.account(family)
    ConnectionLog.create(account=account, at=utcnow() - dt.timedelta(days=366))
    ConnectionLog.create(account=account, at=utcnow() - dt.timedelta(days=300))
    assert purge_personal_logs()["connections"] == 1
    assert ConnectionLog.select().count() == 1
    assert purge_personal_logs()["connections"] == 0  # idempotent


def test_purge_is_on_the_timer():
    from jobs.schedule import build_scheduler

    scheduler = build_scheduler()
    names = (
        [job.func.__name__ for job in scheduler.get_jobs()]
        if hasattr(scheduler, "get_jobs")
        else [j.func.__name__ for j in scheduler._cron_jobs]
    )
    assert "purge_personal_logs" in names


def test_child_form_offers_meal_options_not_religions(auth, town, family):
    client = auth.admin(town)
    child = family.children[0]
    html = client.get(f"/admin/enfants/edit/?id={child.id}").get_data(as_text=True)
    assert "Sans porc" in html and "Sans viande" in html
    for word in ("halal", "casher", "religion", "handicap"):
        assert word not in html.lower()
    assert {v for v, _ in privacy.MEAL_OPTIONS} == {"", "sans porc", "sans viande", "végétarien"}
