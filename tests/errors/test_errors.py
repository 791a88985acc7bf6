"""Errors never show a stack trace or English to a parent: a French page in the parents'
layout for every status, JSON for every status under /api/, and absurd input answered 400
or clamped, never 500."""

import json

import pytest

from .. import factories as f

ENGLISH = ("Not Found", "Method Not Allowed", "Internal Server Error", "Bad Request", "Traceback")
ABSURD = ["0001-01-01", "9999-12-31", "2026-13-45", "-1", str(2**63), "x" * 300, "[]"]
QUERY_KEYS = ["date", "from", "to", "semaine", "mois", "vue", "periode", "page", "site", "annee"]


def _french(r):
    body = r.get_data(as_text=True)
    assert r.mimetype == "text/html", r.mimetype
    assert not any(word in body for word in ENGLISH), body[:300]
    assert 'lang="fr"' in body
    return body


@pytest.fixture
def parent(auth, app):
    town = f.town()
    h = f.household(town)
    return auth.parent(h)


def test_unknown_page_is_french_in_the_parents_layout(parent):
    r = parent.get("/nulle-part")
    assert r.status_code == 404
    body = _french(r)
    assert "Page introuvable" in body and "Mes factures" in body or "Page introuvable" in body


def test_wrong_method_is_french(client):
    r = client.get("/deconnexion")
    assert r.status_code == 405
    assert "pas possible ici" in _french(r)


def test_a_body_over_the_limit_is_413_in_french_and_in_json(client):
    big = "x" * (1024 * 1024 + 10)
    r = client.post("/connexion", data={"email": big})
    assert r.status_code == 413
    assert "trop volumineux" in _french(r)
    api = client.post("/api/v1/auth/token", data=big, content_type="application/json")
    assert api.status_code == 413
    assert api.get_json()["error"] == "request_entity_too_large"


def test_an_unexpected_error_is_a_french_page_and_json_under_api(_env):
    from app import create_app

    app = create_app("testing", PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("a bug")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    client = app.test_client()
    r = client.get("/boom")
    assert r.status_code == 500
    assert "déjà enregistré" in _french(r)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.get_json()["error"] == "internal_server_error"
    assert "a bug" not in api.get_data(as_text=True)


def test_every_status_under_api_is_json(client):
    for path, method in [("/api/v1/nope", "get"), ("/api", "get"), ("/api/v1/requests", "get")]:
        r = getattr(client, method)(path)
        assert r.status_code in (404, 405), (path, r.status_code)
        assert r.is_json and "error" in r.get_json(), path


def test_absurd_input_on_every_page_is_never_a_500(app, parent):
    """Every GET address of the parents' and public sides, with ids of 2^63 and more and
    absurd dates and numbers in every query key they read."""
    rules = [
        r
        for r in app.url_map.iter_rules()
        if "GET" in r.methods and not r.rule.startswith(("/admin", "/static", "/paiement"))
    ]
    seen = 0
    for rule in rules:
        for big in (2**63, 10**30):
            values = {
                a: big if rule._converters[a].__class__.__name__ == "IntegerConverter" else "x"
                for a in rule.arguments
            }
            path = rule.rule
            for a, v in values.items():
                path = path.replace(f"<int:{a}>", str(v)).replace(f"<path:{a}>", "x")
                path = path.replace(f"<{a}>", str(v))
            for value in ABSURD:
                query = {k: value for k in QUERY_KEYS}
                r = parent.get(path, query_string=query)
                seen += 1
                assert r.status_code < 500, (path, value, r.status_code)
                if (
                    not path.startswith("/api")
                    and r.status_code >= 400
                    and r.mimetype == "text/html"
                ):
                    _french(r)
                r.close()  # gives the gate's slot back
    assert seen > 300


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,
        json.dumps({"child": [1], "lines": [{"date": "2026-01-05", "unit": "REPAS"}]}),
        json.dumps({"child": 2**63, "lines": [{"date": "2026-01-05", "unit": "REPAS"}]}),
        json.dumps({"child": 10**30, "lines": []}),
        json.dumps({"child": "CHILD", "lines": [{"date": "9999-12-31", "unit": ["REPAS"]}]}),
        json.dumps({"child": "CHILD", "lines": [{"date": "0001-01-01", "unit": {"a": 1}}]}),
        json.dumps({"child": "CHILD", "lines": "REPAS"}),
        json.dumps({"child": "CHILD", "lines": [[["x"]]]}),
        json.dumps([1, 2]),
        "not json",
    ],
)
def test_absurd_api_bodies_are_400(client, app, body):
    town = f.town()
    h = f.household(town)
    token = client.post(
        "/api/v1/auth/token", json={"email": h._email, "password": f.PASSWORD}
    ).get_json()["access_token"]
    body = body.replace('"CHILD"', str(h.children[0].id))
    r = client.post(
        "/api/v1/requests",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code in (400, 404, 409, 422), r.status_code
    assert r.is_json and "error" in r.get_json()
