"""After the login a parent goes where they were going, and never to another site: `next`
is only a path on this host, whatever characters an attacker slips into it."""

import pytest

from .. import factories as f
from ..forms import csrf


def _login_to(client, family, target: str):
    token = csrf(client)
    return client.post(
        "/connexion",
        query_string={"next": target},
        data={"email": family._email, "password": f.PASSWORD, "csrf_token": token},
    )


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example/phish",
        "/\n/evil.example/phish",
        "/\r\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "/%09/evil.example",
    ],
)
def test_next_never_leads_to_another_host(client, family, target):
    r = _login_to(client, family, target)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert "evil.example" not in location.split("?")[0].lstrip("/").split("/")[0]
    assert not location.startswith("//")
    assert not location.startswith("http") or location.startswith("http://localhost")


def test_next_on_this_host_is_followed(client, family):
    r = _login_to(client, family, "/factures?annee=2026")
    assert r.status_code == 302
    assert r.headers["Location"] == "/factures?annee=2026"
