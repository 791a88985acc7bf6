"""Sessions: cookie flags, a new session at login, idle and absolute timeouts, logout that
ends the session on the server (a replayed cookie is refused), logout everywhere, and a
password change that ends the other sessions."""

import datetime as dt

from models.accounts import AccountSession, ConnectionLog

from .. import factories as f
from ..forms import login, post_form


def _age(field: str, delta: dt.timedelta) -> None:
    """Move a timestamp of every session row into the past (portable across databases)."""
    for row in AccountSession.select():
        AccountSession.update({field: getattr(row, field) - delta}).where(
            AccountSession.id == row.id
        ).execute()


def _cookie(client, name="session"):
    return client.get_cookie(name)


def test_cookie_is_httponly_and_samesite(app, family):
    client = app.test_client()
    r = login(client, family._email, f.PASSWORD)
    cookie = r.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookie_is_secure_and_sends_hsts(monkeypatch, _env):
    monkeypatch.setenv("SECRET_KEY", "prod-secret")
    monkeypatch.setenv("PUBLIC_URL", "https://famille.example.fr")
    from app import create_app

    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    r = app.test_client().get("/connexion")
    assert "max-age=" in r.headers["Strict-Transport-Security"]


def test_production_refuses_to_start_without_its_secrets(monkeypatch, _env):
    import pytest

    from app import create_app

    monkeypatch.setenv("SECRET_KEY", "prod-secret")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app("production")


def test_security_headers(client):
    r = client.get("/connexion")
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def test_login_starts_a_new_session(app, family):
    client = app.test_client()
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
        s["sid"] = "forged"
    login(client, family._email, f.PASSWORD)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["sid"] != "forged"
        assert AccountSession.get(AccountSession.sid == s["sid"])
    assert ConnectionLog.select().count() == 1


def test_logout_refuses_a_replayed_cookie(app, parent_client):
    assert parent_client.get("/mon-compte").status_code == 200
    stolen = _cookie(parent_client).value
    r = post_form(parent_client, "/mon-compte", {}, action="/deconnexion")
    assert r.status_code == 302
    assert AccountSession.select().count() == 0
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    r = replay.get("/mon-compte")
    assert r.status_code == 302 and "/connexion" in r.headers["Location"]


def test_idle_timeout(parent_client):
    assert parent_client.get("/mon-compte").status_code == 200
    _age("last_seen", dt.timedelta(minutes=31))
    r = parent_client.get("/mon-compte")
    assert r.status_code == 302 and "/connexion" in r.headers["Location"]


def test_activity_keeps_the_session_alive(parent_client):
    _age("last_seen", dt.timedelta(minutes=20))
    assert parent_client.get("/mon-compte").status_code == 200
    _age("last_seen", dt.timedelta(minutes=20))
    assert parent_client.get("/mon-compte").status_code == 200


def test_absolute_timeout(parent_client):
    _age("created_at", dt.timedelta(hours=13))
    r = parent_client.get("/mon-compte")
    assert r.status_code == 302


def test_logout_everywhere(app, family, parent_client):
    other = app.test_client()
    login(other, family._email, f.PASSWORD)
    assert other.get("/mon-compte").status_code == 200
    r = post_form(parent_client, "/mon-compte", {}, action="/deconnexion-partout")
    assert r.status_code == 302
    assert parent_client.get("/mon-compte").status_code == 302
    assert other.get("/mon-compte").status_code == 302


def test_password_change_ends_the_other_sessions(app, family, parent_client):
    other = app.test_client()
    login(other, family._email, f.PASSWORD)
    r = post_form(
        parent_client,
        "/mon-compte/mot-de-passe",
        {
            "old_password": f.PASSWORD,
            "password": "un tout nouveau secret",
            "confirm": "un tout nouveau secret",
        },
    )
    assert r.status_code == 302
    assert parent_client.get("/mon-compte").status_code == 200  # this one stays
    assert other.get("/mon-compte").status_code == 302  # the other one is out
    fresh = app.test_client()
    assert login(fresh, family._email, f.PASSWORD).status_code == 200  # old one refused
    assert login(fresh, family._email, "un tout nouveau secret").status_code == 302


def test_password_change_needs_the_old_password(parent_client):
    r = post_form(
        parent_client,
        "/mon-compte/mot-de-passe",
        {
            "old_password": "pas le bon",
            "password": "un tout nouveau secret",
            "confirm": "un tout nouveau secret",
        },
    )
    assert r.status_code == 200
    assert "L&#39;ancien mot de passe est incorrect" in r.get_data(as_text=True)


def test_password_change_refuses_a_common_password(parent_client):
    r = post_form(
        parent_client,
        "/mon-compte/mot-de-passe",
        {"old_password": f.PASSWORD, "password": "azertyuiop", "confirm": "azertyuiop"},
    )
    assert "trop courant" in r.get_data(as_text=True)


def test_forms_need_their_csrf_token(app, family, parent_client):
    r = app.test_client().post("/connexion", data={"email": family._email, "password": f.PASSWORD})
    assert r.status_code == 400
    r = parent_client.post(
        "/mon-compte/mot-de-passe",
        data={
            "old_password": f.PASSWORD,
            "password": "un tout nouveau secret",
            "confirm": "un tout nouveau secret",
        },
    )
    assert r.status_code == 400
    assert parent_client.post("/deconnexion-partout").status_code == 400
    assert parent_client.post("/ma-famille/foyer", data={"h-address": "x"}).status_code == 400
    assert app.config["WTF_CSRF_ENABLED"] is True


def test_parents_pages_run_no_inline_script(client):
    """Only the portal's own script files run on the parents' and public pages: the policy
    allows no inline script, and no page relies on one."""
    r = client.get("/connexion")
    policy = r.headers["Content-Security-Policy"]
    scripts = [d for d in policy.split(";") if d.strip().startswith("script-src")]
    assert scripts == [" script-src 'self'"]
    assert "unsafe-inline" not in scripts[0]


def test_no_template_of_ours_has_an_inline_script_or_handler():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    found = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=\"", text):
            found.append(str(path.relative_to(root)))
        if 'http-equiv="refresh"' in text:
            found.append(f"{path.relative_to(root)} (meta refresh)")
    assert found == []
