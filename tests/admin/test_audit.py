"""Every staff change on an admin screen leaves an audit row (who, what, before/after) in
the same transaction; the journal of changes is read, filtered and exported, never changed."""

from __future__ import annotations

import json

from models import AuditEntry, Closure, Service, Site

from .. import factories as f
from ..forms import csrf, csrf_token

OFFERS = "/admin/inscriptions-en-ligne/"


def post(client, url, data):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_an_edit_is_recorded_with_its_fields_before_and_after(auth, town_a):
    admin = f.staff(town_a, "admin")
    client = auth.login(admin)
    site = Site.select().where(Site.town == town_a).first()
    old_name = site.name
    response = post(
        client,
        f"/admin/structures/edit/?id={site.id}",
        {"name": "École du Centre", "address": "1 place de la Mairie"},
    )
    assert response.status_code == 302
    entry = AuditEntry.get()
    assert (entry.who, entry.action, entry.kind, entry.object_id) == (
        admin.email,
        "edit",
        "Structure",
        site.id,
    )
    assert entry.what == "Structure École du Centre"
    assert json.loads(entry.changes)["name"] == [old_name, "École du Centre"]
    assert entry.town_id == town_a.id

    journal = client.get("/admin/audit/").get_data(as_text=True)
    assert "Structure École du Centre" in journal and "Modification" in journal
    assert f"{old_name} → École du Centre" in journal


def test_creations_and_deletions_are_recorded(auth, town_a, wednesdays):
    client = auth.admin(town_a)
    assert post(client, "/admin/services/new/", {"name": "Piscine"}).status_code == 302
    service = Service.get(Service.name == "Piscine")
    created = AuditEntry.get(AuditEntry.action == "create")
    assert created.what == "Service Piscine" and created.object_id == service.id
    assert json.loads(created.changes)["name"] == ["", "Piscine"]

    day = wednesdays[0].strftime("%Y-%m-%d")
    post(client, "/admin/fermetures/new/", {"start": day, "end": day, "reason": "Grève"})
    closure = Closure.get(Closure.reason == "Grève")
    assert AuditEntry.get(AuditEntry.kind == "Fermeture").action == "create"

    token = csrf(client, "/admin/fermetures/")
    client.post(
        "/admin/fermetures/action/",
        data={"csrf_token": token, "action": "delete", "rowid": str(closure.id)},
    )
    assert Closure.get_or_none(Closure.id == closure.id) is None
    deleted = AuditEntry.get(AuditEntry.action == "delete")
    assert deleted.kind == "Fermeture" and deleted.object_id == closure.id
    assert json.loads(deleted.changes)["reason"] == ["Grève", ""]


def test_a_refused_save_writes_nothing(auth, town_a):
    client = auth.admin(town_a)
    response = post(client, "/admin/services/new/", {"name": ""})
    assert response.status_code == 200  # the form again, with its error
    assert AuditEntry.select().count() == 0


def test_the_journal_filters_and_exports(auth, town_a):
    client = auth.admin(town_a)
    post(client, "/admin/services/new/", {"name": "Piscine"})
    post(client, "/admin/services/new/", {"name": "Musique"})
    found = client.get("/admin/audit/", query_string={"search": "Piscine"})
    html = found.get_data(as_text=True)
    assert "Service Piscine" in html and "Service Musique" not in html
    export = client.get("/admin/audit/export/csv/")
    assert export.status_code == 200
    text = export.get_data(as_text=True)
    assert "Service Piscine" in text and "Service Musique" in text and "Création" in text


def test_nobody_changes_the_journal(auth, town_a):
    client = auth.admin(town_a)
    post(client, "/admin/services/new/", {"name": "Piscine"})
    entry = AuditEntry.get()
    token = csrf(client, "/admin/audit/")
    for method, url, data in (
        ("get", f"/admin/audit/edit/?id={entry.id}", {}),
        ("post", f"/admin/audit/edit/?id={entry.id}", {"what": "rien"}),
        ("get", "/admin/audit/new/", {}),
        ("post", "/admin/audit/new/", {"what": "faux"}),
        ("post", "/admin/audit/delete/", {"id": str(entry.id)}),
        ("post", "/admin/audit/action/", {"action": "delete", "rowid": str(entry.id)}),
    ):
        response = getattr(client, method)(url, data={**data, "csrf_token": token})
        assert response.status_code == 403, url
    assert AuditEntry.select().count() == 1
    assert AuditEntry.get().what == "Service Piscine"
    # and nobody but the town's admin reads it
    assert auth.approver(town_a).get("/admin/audit/").status_code == 403


def test_what_others_depend_on_is_not_deleted(auth, town_a, wednesdays):
    from models import Booking, Unit

    from .conftest import send

    h = f.household(town_a, "Dupuis", wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays[:1])
    unit = Unit.get_by_id(Booking.get().unit_id)
    client = auth.admin(town_a)
    token = csrf(client, "/admin/prestations/")
    response = client.post(
        "/admin/prestations/delete/",
        data={"csrf_token": token, "id": str(unit.id)},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "pas supprimé" in html and "réservation(s)" in html
    assert Unit.get_or_none(Unit.id == unit.id) is not None
    assert Booking.select().count() == 1
    assert AuditEntry.select().count() == 0

    post(client, "/admin/services/new/", {"name": "Piscine"})
    service = Service.get(Service.name == "Piscine")
    client.post("/admin/services/delete/", data={"csrf_token": token, "id": str(service.id)})
    assert Service.get_or_none(Service.id == service.id) is None
    assert AuditEntry.get(AuditEntry.action == "delete").what == "Service Piscine"


def test_roles_are_ticked_from_the_table_and_the_change_is_audited(auth, town_a):
    from models import Account

    colleague = f.staff(town_a, "approver")
    client = auth.admin(town_a)
    url = f"/admin/comptes/edit/?id={colleague.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'type="checkbox"' in html and 'value="finance"' in html
    response = post(client, url, {"is_active": "y", "roles": ["approver", "finance"]})
    assert response.status_code == 302
    assert Account.get_by_id(colleague.id).roles == "approver,finance"
    entry = AuditEntry.get(AuditEntry.kind == "Compte")
    assert json.loads(entry.changes)["roles"] == ["approver", "approver,finance"]
    assert "password_hash" not in entry.changes
    refused = post(client, url, {"is_active": "y", "roles": ["chef"]})
    assert refused.status_code == 200
    assert Account.get_by_id(colleague.id).roles == "approver,finance"


def test_a_staff_display_name_is_set_without_ending_their_sessions(auth, town_a):
    from models import Account

    colleague = f.staff(town_a, "approver", email="c.dupont@mairie.fr")
    session = auth.login(colleague)
    client = auth.admin(town_a)
    url = f"/admin/comptes/edit/?id={colleague.id}"
    data = {"is_active": "y", "roles": ["approver"], "display_name": "Claire Dupont"}
    assert post(client, url, data).status_code == 302
    assert Account.get_by_id(colleague.id).display_name == "Claire Dupont"
    assert "Claire Dupont" in client.get("/admin/comptes/").get_data(as_text=True)
    assert session.get("/admin/").status_code == 200  # still logged in
    assert post(client, url, {**data, "roles": ["approver", "finance"]}).status_code == 302
    assert session.get("/admin/").status_code != 200  # roles changed: sessions ended


def test_bad_catalogue_values_are_refused_in_french_beside_the_field(auth, town_a):
    from models import Unit

    client = auth.admin(town_a)
    unit = Unit.select().join(Site).where(Site.town == town_a).first()
    url = f"/admin/prestations/edit/?id={unit.id}"
    html = client.get(url).get_data(as_text=True)
    assert "laissez vide pour ne pas limiter" in html  # the help line
    form = {
        "code": unit.code,
        "label": unit.label,
        "site": str(unit.site_id),
        "service": str(unit.service_id),
        "weekdays": unit.weekdays,
        "approval_mode": unit.approval_mode,
        "book_count": "3",
        "book_unit": unit.book_unit,
        "book_cutoff": "09:00",
        "cancel_count": "3",
        "cancel_unit": unit.cancel_unit,
        "cancel_cutoff": "09:00",
        "position": "0",
    }
    for field, value, words in (
        ("capacity", "-1", "positive ou nulle"),
        ("book_count", "400", "de 0 à 60 jours"),
        ("capacity", "abc", "entier"),
    ):
        response = post(client, url, {**form, field: value})
        assert response.status_code == 200, field
        assert words in response.get_data(as_text=True), field
    assert Unit.get_by_id(unit.id).capacity == unit.capacity
    assert AuditEntry.select().count() == 0


def test_a_duplicate_offer_is_refused_in_french(auth, town_a):
    from models import EnrolmentOffer

    client = auth.admin(town_a)
    service = Service.select().where(Service.town == town_a).first()
    site = Site.select().where(Site.town == town_a).first()
    form = {"service": str(service.id), "site": str(site.id), "open_online": "y"}
    url = OFFERS + "new/"
    assert post(client, url, form).status_code == 302
    again = post(client, url, form)
    html = again.get_data(as_text=True)
    assert f"Une offre « {service.name} – {site.name} » existe déjà." in html  # beside the field
    assert "UNIQUE" not in html and "Failed" not in html
    assert EnrolmentOffer.select().count() == 1
    assert AuditEntry.select().where(AuditEntry.kind == "Offre d'inscription en ligne").count() == 1
