"""The second factor (TOTP) after the password: a staff member's enrolment at the first
sign-in, the code at each login (wrong, replayed, a recovery code used once, rate limited),
nothing answering before it passes, and a parent's optional second factor in Mon compte
(and the API's login asking for it too)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pyotp

from models import Account, utcnow
from models.accounts import AccountSession, RecoveryCode

from .. import factories as f
from ..forms import csrf_token, login, login_through, needs_second_factor

CODES = re.compile(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>")


def _post_code(client, page: str, code: str):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(page, data={"code": code, "csrf_token": token})


def _text(r) -> str:
    return html.unescape(r.get_data(as_text=True))


def _fresh(email: str) -> Account:
    return Account.get(Account.email == email)


def _code_at(account: Account, step_offset: int = 0) -> str:
    totp = pyotp.TOTP(account.totp_secret)
    return totp.generate_otp(totp.timecode(dt.datetime.now(dt.UTC)) + step_offset)


# -- a staff member's first sign-in --------------------------------------------------------
def test_first_sign_in_enrols_with_a_qr_code_and_ten_recovery_codes(app, town):
    agent = f.staff(town, "approver", enrolled=False)
    client = app.test_client()
    r = login(client, agent.email)
    assert r.headers["Location"] == "/connexion/code"
    r = client.get("/connexion/code")
    assert r.headers["Location"] == "/connexion/double-authentification"
    page = client.get("/connexion/double-authentification").get_data(as_text=True)
    assert "Activer la double authentification" in page
    assert "<svg" in page and "QR code" in page  # drawn inline, no image from elsewhere
    secret = _fresh(agent.email).totp_secret
    assert re.sub(r"\s", "", re.search(r'id="totp-secret"[^>]*>([^<]+)<', page)[1]) == secret

    r = _post_code(client, "/connexion/double-authentification", "000000")
    assert "Ce code n'est pas le bon" in _text(r)
    assert client.get("/admin/").status_code == 302  # still not in

    r = _post_code(client, "/connexion/double-authentification", pyotp.TOTP(secret).now())
    html = r.get_data(as_text=True)
    codes = CODES.findall(html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "ils ne seront plus affichés" in html
    assert client.get("/admin/").status_code == 200
    stored = [rc.code_hash for rc in RecoveryCode.select().where(RecoveryCode.account == agent)]
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}
    assert _fresh(agent.email).totp_confirmed_at is not None


def test_an_invited_colleague_sets_a_password_then_enrols(app, town, auth, queue):
    from .conftest import link_in, mails_to, path_of

    admin = auth.admin(town)
    page = admin.get("/admin/agents/").get_data(as_text=True)
    r = admin.post(
        "/admin/agents/inviter",
        data={
            "email": "Nouvelle.Collegue@mairie.fr",
            "roles": ["approver", "finance"],
            "csrf_token": csrf_token(page),
        },
    )
    assert r.status_code == 302
    assert "Invitation envoyée à nouvelle.collegue@mairie.fr" in admin.get(
        "/admin/agents/"
    ).get_data(as_text=True)
    [mail] = mails_to(app, "nouvelle.collegue@mairie.fr")
    assert "double authentification" in mail.get_body(("plain",)).get_content()
    link = path_of(link_in(mail, "/invitation/"))

    colleague = app.test_client()
    form = colleague.get(link).get_data(as_text=True)
    r = colleague.post(
        link,
        data={
            "password": "la mairie du bourg",
            "confirm": "la mairie du bourg",
            "csrf_token": csrf_token(form),
        },
    )
    assert r.headers["Location"].endswith("/connexion")
    assert colleague.get(link).status_code == 410  # the link worked once
    r = login_through(colleague, "nouvelle.collegue@mairie.fr", "la mairie du bourg")
    assert "Vos codes de secours" in _text(r)  # it enrolled on the way
    account = _fresh("nouvelle.collegue@mairie.fr")
    assert account.is_staff and account.is_active and account.town_id == town.id
    assert account.role_set == {"approver", "finance"}
    assert colleague.get("/admin/demandes-a-traiter/").status_code == 200


# -- nothing answers before the second factor ----------------------------------------------
def test_before_the_second_factor_no_admin_page_answers(app, town):
    agent = f.staff(town, "admin")
    client = app.test_client()
    assert needs_second_factor(login(client, agent.email))
    for url in ("/admin/", "/admin/demandes-a-traiter/", "/admin/agents/", "/admin/foyers/"):
        r = client.get(url)
        assert r.status_code == 302 and r.headers["Location"].startswith("/connexion?next="), url
    assert client.get("/mon-compte").status_code == 302
    # the staff API answers its machine tokens only (made by an admin who passed it)
    assert client.get("/api/v1/staff/meal-counts").status_code == 401
    # a session that skipped the code (a row with the account but no second_factor_at)
    # is refused even with Flask-Login's user id in the cookie
    with client.session_transaction() as s:
        s["_user_id"] = f"{agent.id}:{agent.session_version}"
    assert client.get("/admin/").status_code == 302
    row = AccountSession.get(AccountSession.account == agent)
    assert row.second_factor_at is None


def test_the_staff_api_password_login_asks_for_the_code(app, town, client):
    agent = f.staff(town, "approver")
    body = {"email": agent.email, "password": f.PASSWORD}
    r = client.post("/api/v1/auth/token", json=body)
    assert r.status_code == 401 and r.get_json()["error"] == "second_factor_required"
    r = client.post("/api/v1/auth/token", json={**body, "code": "123456"})
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_second_factor"
    newcomer = f.staff(town, "approver", enrolled=False)
    r = client.post(
        "/api/v1/auth/token", json={"email": newcomer.email, "password": f.PASSWORD, "code": "1"}
    )
    assert r.status_code == 403 and r.get_json()["error"] == "second_factor_not_enrolled"


# -- the code at each login ------------------------------------------------------------------
def test_a_wrong_code_is_refused_and_a_right_one_lets_in(app, town):
    agent = f.staff(town, "approver")
    client = app.test_client()
    login(client, agent.email)
    r = _post_code(client, "/connexion/code", "999999" if _code_at(agent) != "999999" else "0")
    assert r.status_code == 200
    assert "Ce code n'est pas le bon" in _text(r)
    r = _post_code(client, "/connexion/code", _code_at(agent))
    assert r.status_code == 302 and r.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_code_from_one_step_before_or_after_is_accepted_not_two(app, town):
    agent = f.staff(town, "approver")
    for offset, status in ((-1, 302), (1, 302), (3, 200)):
        client = app.test_client()
        login(client, agent.email)
        r = _post_code(client, "/connexion/code", _code_at(agent, offset))
        assert r.status_code == status, offset


def test_a_replayed_code_is_refused(app, town):
    agent = f.staff(town, "approver")
    code = _code_at(agent)
    first = app.test_client()
    login(first, agent.email)
    assert _post_code(first, "/connexion/code", code).status_code == 302
    second = app.test_client()  # someone who saw the code, within the same 30 seconds
    login(second, agent.email)
    r = _post_code(second, "/connexion/code", code)
    assert r.status_code == 200
    assert "Ce code a déjà servi" in _text(r)
    assert second.get("/admin/").status_code == 302


def test_a_recovery_code_works_once(app, town):
    agent = f.staff(town, "approver")
    code = f.recovery_codes(agent)[3]
    client = app.test_client()
    login(client, agent.email)
    assert _post_code(client, "/connexion/code", code.lower()).status_code == 302
    assert client.get("/admin/").status_code == 200
    again = app.test_client()
    login(again, agent.email)
    r = _post_code(again, "/connexion/code", code)
    assert "Ce code n'est pas le bon" in _text(r)
    used = RecoveryCode.select().where(RecoveryCode.used_at.is_null(False)).count()
    assert used == 1


def test_codes_are_rate_limited_per_account(app, town):
    app.config["RATELIMIT_LOGIN_ACCOUNT"] = "3 per 15 minutes"
    agent = f.staff(town, "approver")
    client = app.test_client()
    login(client, agent.email)
    for _ in range(3):
        assert _post_code(client, "/connexion/code", "000001").status_code == 200
    r = _post_code(client, "/connexion/code", _code_at(agent))
    assert r.status_code == 429
    assert "Trop de tentatives" in _text(r)
    # from a new login (a new session) too: the counter is the account's
    other = app.test_client()
    login(other, agent.email)
    assert _post_code(other, "/connexion/code", _code_at(agent)).status_code == 429


def test_the_pending_login_expires(app, town):
    agent = f.staff(town, "approver")
    client = app.test_client()
    login(client, agent.email)
    AccountSession.update(created_at=utcnow() - dt.timedelta(minutes=11)).execute()
    r = client.get("/connexion/code")
    assert r.status_code == 302 and r.headers["Location"] == "/connexion"
    assert AccountSession.select().count() == 0


# -- a parent's choice ---------------------------------------------------------------------
def test_a_parent_turns_the_second_factor_on_then_their_login_asks_for_it(app, family, auth):
    other_device = auth.parent(family)
    client = auth.parent(family)
    page = client.get("/mon-compte/double-authentification").get_data(as_text=True)
    assert "Facultative pour les familles" in page and "<svg" in page
    assert "Double authentification</a>\n      (désactivée)" in client.get("/mon-compte").get_data(
        as_text=True
    )
    secret = _fresh(family._email).totp_secret
    r = client.post(
        "/mon-compte/double-authentification/activer",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(page)},
    )
    shown = CODES.findall(r.get_data(as_text=True))
    assert len(shown) == 10
    assert client.get("/mon-compte").status_code == 200  # this session stays
    assert other_device.get("/mon-compte").status_code == 302  # others had no code: ended

    fresh = app.test_client()
    r = login(fresh, family._email)
    assert r.headers["Location"] == "/connexion/code"
    assert fresh.get("/mon-compte").status_code == 302  # not in before the code
    assert login_through(fresh, family._email).headers["Location"] == "/"
    assert fresh.get("/mon-compte").status_code == 200

    # the API's login asks for it too
    api = app.test_client()
    body = {"email": family._email, "password": f.PASSWORD}
    r = api.post("/api/v1/auth/token", json=body)
    assert r.status_code == 401 and r.get_json()["error"] == "second_factor_required"
    # (this step's code and the next served the two logins above: a recovery code now)
    r = api.post("/api/v1/auth/token", json={**body, "code": shown[0]})
    assert r.status_code == 200 and r.get_json()["access_token"]


def test_a_parent_turns_it_off_with_a_code(app, family, auth):
    account = f.enrol(f.account(family))
    client = auth.parent(family)  # through the code
    page = client.get("/mon-compte/double-authentification").get_data(as_text=True)
    assert "Codes de secours encore utilisables : 10." in page
    r = client.post(
        "/mon-compte/double-authentification/desactiver",
        data={"off-code": "000000", "csrf_token": csrf_token(page)},
    )
    assert "Ce code n'est pas le bon" in _text(r)
    r = client.post(
        "/mon-compte/double-authentification/desactiver",
        data={"off-code": f.recovery_codes(account)[0], "csrf_token": csrf_token(page)},
    )
    assert r.status_code == 302
    assert _fresh(family._email).totp_confirmed_at is None
    assert RecoveryCode.select().count() == 0
    assert login(app.test_client(), family._email).headers["Location"] == "/"


def test_staff_may_not_turn_it_off(app, town, auth):
    agent = f.staff(town, "approver")
    client = auth.login(agent)
    page = client.get("/mon-compte/double-authentification").get_data(as_text=True)
    assert "obligatoire pour les comptes des agents" in page
    assert "Désactiver la double authentification" not in page
    r = client.post(
        "/mon-compte/double-authentification/desactiver",
        data={"off-code": f.recovery_codes(agent)[0], "csrf_token": csrf_token(page)},
    )
    assert r.status_code == 302
    assert _fresh(agent.email).totp_confirmed_at is not None


def test_an_anonymised_household_loses_its_second_factor(app, family):
    from workflows import privacy

    from .test_privacy import _end_all

    account = f.enrol(f.account(family))
    _end_all(family)
    privacy.anonymise_household(family, None)
    fresh = Account.get_by_id(account.id)
    assert fresh.totp_secret == "" and fresh.totp_confirmed_at is None
    assert RecoveryCode.select().where(RecoveryCode.account == account.id).count() == 0
