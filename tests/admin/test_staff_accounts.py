"""« Agents »: a town's admin invites a colleague (roles ticked from the permission table),
deactivates an account (its open session ends at once), reactivates it, and resets a
colleague's second factor; each change is in the audit."""

from __future__ import annotations

import html
import json

from models import Account, AuditEntry
from models.accounts import AccountSession, RecoveryCode
from workflows import permissions

from .. import factories as f
from ..forms import csrf_token, login, login_through


def _text(r) -> str:
    return html.unescape(r.get_data(as_text=True))


def _post(client, url: str, data: dict | None = None):
    token = csrf_token(client.get("/admin/agents/").get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token})


def test_the_screen_lists_the_towns_staff_with_role_checkboxes(auth, town_a, town_b):
    admin = auth.admin(town_a)
    f.staff(town_a, "approver,finance", email="claire@mairie.fr")
    f.staff(town_a, "editor", email="nouveau@mairie.fr", enrolled=False)
    f.staff(town_b, "admin", email="ailleurs@mairie.fr")
    page = _text(admin.get("/admin/agents/"))
    assert "claire@mairie.fr" in page and "ailleurs@mairie.fr" not in page
    assert permissions.ROLE_LABELS["finance"] in page
    assert "Actif, double authentification à activer" in page  # nouveau@ has not enrolled
    for role in permissions.STAFF_ROLES:
        assert f'type="checkbox" value="{role}"' in page or f'value="{role}"' in page


def test_an_invitation_refuses_a_known_address_and_needs_a_role(auth, town_a):
    family = f.household(town_a)
    admin = auth.admin(town_a)
    r = _post(admin, "/admin/agents/inviter", {"email": family._email, "roles": "approver"})
    assert "a déjà un compte sur le portail" in _text(r)
    r = _post(admin, "/admin/agents/inviter", {"email": "x@mairie.fr"})
    assert "Cochez au moins un rôle." in _text(r)
    assert not Account.select().where(Account.email == "x@mairie.fr").exists()


def test_an_invitation_is_in_the_audit(auth, town_a):
    admin = auth.admin(town_a)
    _post(admin, "/admin/agents/inviter", {"email": "lea@mairie.fr", "roles": ["animator"]})
    entry = AuditEntry.get(AuditEntry.action == "invite")
    assert entry.town_id == town_a.id and "lea@mairie.fr" in entry.what
    assert json.loads(entry.changes)["roles"] == ["", "animator"]


def test_a_deactivated_account_loses_its_open_session_at_once(app, auth, town_a):
    colleague = f.staff(town_a, "approver")
    open_session = auth.login(colleague)
    assert open_session.get("/admin/demandes-a-traiter/").status_code == 200
    admin = auth.admin(town_a)
    r = _post(admin, f"/admin/agents/{colleague.id}/desactiver")
    assert r.status_code == 302
    assert "est désactivé ; ses sessions sont fermées" in _text(admin.get("/admin/agents/"))
    assert AccountSession.select().where(AccountSession.account == colleague).count() == 0
    r = open_session.get("/admin/demandes-a-traiter/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/connexion")
    assert login(app.test_client(), colleague.email).status_code == 200  # refused
    entry = AuditEntry.get(AuditEntry.action == "edit", AuditEntry.object_id == colleague.id)
    assert json.loads(entry.changes)["is_active"] == ["Oui", "Non"]

    _post(admin, f"/admin/agents/{colleague.id}/reactiver")
    assert login_through(app.test_client(), colleague.email).headers["Location"] == "/admin/"


def test_an_admin_may_not_deactivate_nor_reset_themselves(auth, town_a):
    admin = auth.admin(town_a)
    me = Account.get(Account.is_staff, Account.roles == "admin")
    r = _post(admin, f"/admin/agents/{me.id}/desactiver")
    assert r.status_code == 302
    assert "demandez-le à un autre administrateur" in _text(admin.get("/admin/agents/"))
    assert Account.get_by_id(me.id).is_active


def test_an_admin_resets_a_colleagues_second_factor(app, auth, town_a):
    colleague = f.staff(town_a, "approver")
    their_session = auth.login(colleague)
    admin = auth.admin(town_a)
    r = _post(
        admin,
        f"/admin/agents/{colleague.id}/reinitialiser-double-authentification",
        {"reason": "Téléphone perdu"},
    )
    assert r.status_code == 302
    assert "elle sera activée à nouveau à sa prochaine connexion" in _text(
        admin.get("/admin/agents/")
    )
    fresh = Account.get_by_id(colleague.id)
    assert fresh.totp_secret == "" and fresh.totp_confirmed_at is None
    assert RecoveryCode.select().where(RecoveryCode.account == colleague).count() == 0
    assert their_session.get("/admin/").status_code == 302  # logged out
    # the audit says who did it, to whom, and why
    entry = AuditEntry.get(AuditEntry.action == "second_factor_reset")
    assert entry.who == Account.get(Account.roles == "admin").email
    assert entry.object_id == colleague.id and entry.reason == "Téléphone perdu"
    assert json.loads(entry.changes) == {"double authentification": ["activée", "réinitialisée"]}
    journal = _text(admin.get("/admin/audit/"))
    assert "Double authentification réinitialisée" in journal
    # the next sign-in enrols again
    client = app.test_client()
    login(client, colleague.email)
    assert client.get("/connexion/code").headers["Location"] == "/connexion/double-authentification"


def test_only_a_towns_admin_runs_the_staff_and_only_their_towns(auth, town_a, town_b):
    theirs = f.staff(town_b, "approver")
    approver = auth.approver(town_a)
    assert approver.get("/admin/agents/").status_code == 403
    r = _post(auth.admin(town_a), f"/admin/agents/{theirs.id}/desactiver")
    assert r.status_code == 404
    assert Account.get_by_id(theirs.id).is_active
