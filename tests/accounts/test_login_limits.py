"""No account enumeration (same answer, similar time) and rate limits per account and per
address, with a French message, counted in Redis."""

import re
import statistics
import time

from models import Account
from models.accounts import OneTimeToken
from models.outbox import OutgoingMail

from .. import factories as f
from ..forms import csrf_token, login, post_form
from .conftest import drain, mails_to, text_of

TOKEN = re.compile(r'value="[^"]+"')


def _body(r) -> str:
    return TOKEN.sub("", r.get_data(as_text=True))


def test_login_same_answer_for_unknown_email_and_wrong_password(app, family):
    a = login(app.test_client(), family._email, "pas le bon mot de passe")
    b = login(app.test_client(), "inconnu@exemple.fr", "pas le bon mot de passe")
    assert a.status_code == b.status_code == 200
    assert _body(a) == _body(b).replace("inconnu@exemple.fr", family._email)
    assert "Adresse e-mail ou mot de passe incorrect." in _body(a)


def test_login_similar_time_for_unknown_and_known_email(app, family):
    app.config["RATELIMIT_ENABLED"] = False
    client = app.test_client()
    token = csrf_token(client.get("/connexion").get_data(as_text=True))

    def timed(email):
        start = time.perf_counter()
        client.post(
            "/connexion",
            data={"email": email, "password": "mauvais mot de passe", "csrf_token": token},
        )
        return time.perf_counter() - start

    known, unknown = [], []
    for _ in range(6):
        known.append(timed(family._email))
        unknown.append(timed("personne@exemple.fr"))
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.5 < ratio < 2.0, (known, unknown)


def test_reset_same_answer_known_or_unknown_and_the_same_work(app, family, queue):
    a = post_form(app.test_client(), "/mot-de-passe-oublie", {"email": family._email})
    b = post_form(app.test_client(), "/mot-de-passe-oublie", {"email": "inconnu@exemple.fr"})
    assert a.status_code == b.status_code == 200
    assert _body(a) == _body(b)
    assert "Si un compte existe pour cette adresse" in _body(a)
    # the web side did the same work for both: one e-mail each in the outbox, at once
    assert OutgoingMail.select().count() == 2
    assert OneTimeToken.select().count() == 1
    drain(queue)
    [known] = mails_to(app, family._email)
    [unknown] = mails_to(app, "inconnu@exemple.fr")
    assert "/mot-de-passe/" in text_of(known)
    assert "aucun compte actif" in text_of(unknown) and "/mot-de-passe/" not in text_of(unknown)


def test_login_is_limited_per_account(app, family):
    client = app.test_client()
    for _ in range(10):
        assert login(client, family._email, "mauvais mot de passe").status_code == 200
    r = login(client, family._email, f.PASSWORD)
    assert r.status_code == 429
    assert "Trop de tentatives" in r.get_data(as_text=True)
    # another account from the same address still gets in
    other = f.household(family.town, "Durand")
    assert login(app.test_client(), other._email, f.PASSWORD).status_code == 302


def test_login_is_limited_per_address(app, town):
    app.config["RATELIMIT_LOGIN_IP"] = "5 per minute"
    client = app.test_client()
    for i in range(5):
        assert login(client, f"x{i}@exemple.fr", "mauvais mot de passe").status_code == 200
    r = login(client, "y@exemple.fr", "mauvais mot de passe")
    assert r.status_code == 429
    assert "patientez quelques minutes" in r.get_data(as_text=True)


def test_reset_is_limited_per_account(app, family):
    client = app.test_client()
    for _ in range(5):
        assert (
            post_form(client, "/mot-de-passe-oublie", {"email": family._email}).status_code == 200
        )
    r = post_form(client, "/mot-de-passe-oublie", {"email": family._email})
    assert r.status_code == 429
    assert "Trop de tentatives" in r.get_data(as_text=True)


def test_api_token_is_limited_too(app, family):
    client = app.test_client()
    for _ in range(10):
        client.post("/api/v1/auth/token", json={"email": family._email, "password": "non"})
    r = client.post("/api/v1/auth/token", json={"email": family._email, "password": f.PASSWORD})
    assert r.status_code == 429
    assert r.get_json()["error"] == "too_many_requests"


def test_limits_are_stored_in_redis(app, family, redis_url):
    from jobs.queue import redis_from_url

    login(app.test_client(), family._email, "mauvais mot de passe")
    keys = redis_from_url(redis_url).keys("*portail-limits*")
    assert keys


def test_embedded_redis_url_is_understood_by_the_limiter():
    from blueprints.auth.limits import storage_uri

    assert storage_uri("unix:///tmp/x/redis.sock") == "redis+unix:///tmp/x/redis.sock"
    assert storage_uri("redis://127.0.0.1:6379/7") == "redis://127.0.0.1:6379/7"


def test_inactive_invited_account_answers_like_an_unknown_one(app, family):
    Account.create(email="invite@exemple.fr", password_hash="!", is_active=False)
    a = login(app.test_client(), "invite@exemple.fr", "quelque chose")
    assert "Adresse e-mail ou mot de passe incorrect." in a.get_data(as_text=True)
