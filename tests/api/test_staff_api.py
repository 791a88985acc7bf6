"""The staff API: an admin makes a token in the admin, the catering software reads the meal
counts with it; another town's site, a summer date, an expired or revoked token, a
parent's token are refused in English."""

from __future__ import annotations

import datetime as dt
import json
import re

from models import AuditEntry, StaffApiToken, utcnow
from models.staff import STAFF_TOKEN_SCOPES
from workflows import decisions

from .. import factories as f
from ..admin.conftest import send
from ..forms import post_form

URL = "/api/v1/staff/meal-counts"


def _make_token(client, name="Cuisine centrale", days=30) -> str:
    resp = post_form(
        client, "/admin/jetons-api/", {"name": name, "scope": "meal-counts", "days": days}
    )
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "il ne sera plus affiché" in page
    return re.search(r'class="staff-token">([^<]+)<', page).group(1)


def _get(client, token, **args):
    return client.get(URL, query_string=args, headers={"Authorization": f"Bearer {token}"})


def test_the_catering_software_reads_the_counts(app, auth, client):
    town, other = f.town(), f.town()
    days = f.open_days(n=2)
    h = f.household(town)
    send(town, h, "REPAS", days)
    send(town, f.household(town, name="Durand"), "PAI", days[:1])
    decisions.sweep()
    admin = auth.admin(town)
    token = _make_token(admin)
    assert StaffApiToken.get().token_hash != token  # stored hashed
    assert token not in admin.get("/admin/jetons-api/").get_data(as_text=True)

    resp = _get(client, token, **{"from": days[0].isoformat(), "to": days[1].isoformat()})
    assert resp.status_code == 200, resp.json
    site = town._demo["schools"][0]
    assert [
        (d["date"], d["site"], d["total"], d["units"], d["status"]) for d in resp.json["days"]
    ] == [
        (days[0].isoformat(), site.id, 2, {"PAI": 1, "REPAS": 1}, "provisional"),
        (days[1].isoformat(), site.id, 1, {"REPAS": 1}, "provisional"),
    ]
    one = _get(client, token, **{"from": days[0].isoformat(), "site": site.id})
    assert one.json["days"][0]["meal_options"] == {"standard": 2}

    # another town's site, a summer date, a malformed one
    resp = _get(
        client, token, **{"from": days[0].isoformat(), "site": other._demo["schools"][0].id}
    )
    assert (resp.status_code, resp.json["error"]) == (404, "unknown_site")
    resp = _get(client, token, **{"from": "2027-07-20"})
    assert (resp.status_code, resp.json["error"]) == (422, "outside_school_year")
    assert resp.json["message"] == "The dates are outside a school year (1 September to 4 July)."
    assert _get(client, token, **{"from": "hier"}).status_code == 400

    # revoked in the admin: refused at once
    token_id = StaffApiToken.get().id
    resp = post_form(
        admin, "/admin/jetons-api/", {}, action=f"/admin/jetons-api/{token_id}/revoquer"
    )
    assert resp.status_code == 302
    resp = _get(client, token, **{"from": days[0].isoformat()})
    assert (resp.status_code, resp.json["error"]) == (401, "unauthorized")


def test_expired_and_foreign_tokens_are_refused(app, auth, client):
    town = f.town()
    token = _make_token(auth.admin(town), days=1)
    day = f.open_days(n=1)[0].isoformat()
    assert _get(client, token, **{"from": day}).status_code == 200
    StaffApiToken.update(expires_at=utcnow() - dt.timedelta(seconds=1)).execute()
    assert _get(client, token, **{"from": day}).status_code == 401
    h = f.household(town)
    parent = client.post("/api/v1/auth/token", json={"email": h._email, "password": f.PASSWORD})
    assert _get(client, parent.json["access_token"], **{"from": day}).status_code == 401
    assert client.get(URL, query_string={"from": day}).status_code == 401


def test_only_admins_make_tokens_and_the_openapi_says_it(auth, client):
    town = f.town()
    assert auth.approver(town).get("/admin/jetons-api/").status_code == 403
    spec = client.get("/api/openapi.json").json
    op = spec["paths"]["/api/v1/staff/meal-counts"]["get"]
    assert op["security"] == [{"staffToken": []}]
    assert {p["name"] for p in op["parameters"]} == {"from", "to", "site"}


def test_making_and_revoking_a_token_is_in_the_audit_without_the_token(auth):
    town = f.town()
    admin = auth.admin(town, email="chef@ville.fr")
    token = _make_token(admin, name="Logiciel cantine")
    row = StaffApiToken.get()
    post_form(admin, "/admin/jetons-api/", {}, action=f"/admin/jetons-api/{row.id}/revoquer")
    entries = list(AuditEntry.select().where(AuditEntry.town == town.id).order_by(AuditEntry.id))
    made, revoked = entries[-2:]
    assert (made.action, made.kind, made.object_id) == ("create", "Jeton d'API agents", row.id)
    assert (revoked.action, revoked.object_id) == ("revoke", row.id)
    assert made.who == revoked.who == "chef@ville.fr"
    assert json.loads(made.changes)["nom"] == ["", "Logiciel cantine"]
    assert json.loads(made.changes)["droit"][1] == STAFF_TOKEN_SCOPES["meal-counts"]
    assert "révoqué le" in json.loads(revoked.changes)
    for entry in (made, revoked):  # neither the token nor its hash
        assert token not in entry.changes + entry.what
        assert row.token_hash not in entry.changes
    journal = admin.get("/admin/audit/").get_data(as_text=True)
    assert "Révocation" in journal and "Logiciel cantine" in journal
    assert token not in journal
