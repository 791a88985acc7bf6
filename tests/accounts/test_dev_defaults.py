"""What `make run` starts with must not be a known secret, and links in e-mails never follow
the Host header a stranger sends."""

from config import DevelopmentConfig

from ..forms import csrf_token
from .conftest import drain, link_in, mails_to


def test_a_portal_without_secret_key_makes_its_own_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAIL_INSTANCE", str(tmp_path / "one"))
    first = DevelopmentConfig().SECRET_KEY
    again = DevelopmentConfig().SECRET_KEY  # the worker and the timer read the same key
    monkeypatch.setenv("PORTAIL_INSTANCE", str(tmp_path / "two"))
    other = DevelopmentConfig().SECRET_KEY
    assert first == again
    assert first != other  # another installation has another key
    assert len(first) >= 64 and first != "dev-only-not-secret"
    assert (tmp_path / "one" / "secret_key").stat().st_mode & 0o077 == 0


def test_reset_link_ignores_a_forged_host(app, family, queue):
    client = app.test_client()
    forged = {"Host": "evil.example"}
    page = client.get("/mot-de-passe-oublie", headers=forged)
    token = csrf_token(page.get_data(as_text=True))
    sent = client.post(
        "/mot-de-passe-oublie",
        data={"email": family._email, "csrf_token": token},
        headers=forged,
    )
    assert sent.status_code in (200, 302)
    drain(queue)
    [mail] = mails_to(app, family._email)
    link = link_in(mail, "/mot-de-passe/")
    assert link.startswith(app.config["PUBLIC_URL"] + "/mot-de-passe/")
    assert "evil.example" not in link
