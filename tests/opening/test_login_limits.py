"""The login limits count failures only, one counter per account whatever the door (the
login form or the API's token), and one per address sized for a shared network."""

from __future__ import annotations

from .. import factories as f
from ..forms import login


def _api_login(client, email, password):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def test_successful_logins_do_not_count(app):
    h = f.household(f.town())
    for _ in range(15):  # a family on a phone and a PC, all day long
        assert login(app.test_client(), h._email, f.PASSWORD).status_code == 302
        assert _api_login(app.test_client(), h._email, f.PASSWORD).status_code == 200


def test_one_counter_per_account_whatever_the_door(app):
    h = f.household(f.town())
    client = app.test_client()
    for _ in range(5):
        assert login(client, h._email, "pas le bon").status_code == 200
        assert _api_login(client, h._email, "pas le bon").status_code == 401
    # ten failures in all: the next attempt is refused, at either door
    assert login(client, h._email, f.PASSWORD).status_code == 429
    assert _api_login(client, h._email, f.PASSWORD).status_code == 429


def test_many_parents_behind_one_address_get_in(app):
    app.config["RATELIMIT_LOGIN_IP"] = "5 per minute"
    town = f.town()
    families = [f.household(town, name=f"Famille{i}") for i in range(8)]
    client = app.test_client()  # one address for all
    for h in families:
        assert _api_login(client, h._email, f.PASSWORD).status_code == 200
    for i in range(5):
        assert _api_login(client, f"x{i}@exemple.fr", "faux").status_code == 401
    assert _api_login(client, families[0]._email, f.PASSWORD).status_code == 429
