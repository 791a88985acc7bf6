"""Retries are safe: a send retried with the same Idempotency-Key (after a timeout, a
double tap) gets the first answer and writes nothing more."""

from __future__ import annotations

from models import Booking, Request, RequestLine, WorkflowHistory
from models.accounts import IdempotentReply

from .. import factories as f
from ..forms import csrf_token, post_form


def _token(client, h):
    r = client.post("/api/v1/auth/token", json={"email": h._email, "password": f.PASSWORD})
    return r.get_json()["access_token"]


def _counts():
    return (
        Request.select().count(),
        RequestLine.select().count(),
        Booking.select().count(),
        WorkflowHistory.select().count(),
    )


def test_an_api_retry_gets_the_first_answer_and_writes_nothing(app, client):
    town = f.town()
    h = f.household(town)
    token = _token(client, h)
    body = {
        "child": h.children[0].id,
        "lines": [{"date": d.isoformat(), "unit": "REPAS"} for d in f.open_days(n=3)],
    }
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "8f14e45f-ceea-467f"}
    first = client.post("/api/v1/requests", json=body, headers=headers)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    before = _counts()

    again = client.post("/api/v1/requests", json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()  # the same request number, not "already booked"
    assert _counts() == before

    # without the key, the same lines are a new request, refused: the days are taken
    plain = client.post(
        "/api/v1/requests", json=body, headers={"Authorization": headers["Authorization"]}
    )
    assert plain.status_code == 409
    assert _counts() == before


def test_a_key_used_for_another_request_is_refused(app, client):
    town = f.town()
    h = f.household(town)
    token = _token(client, h)
    one, two = f.open_days(n=2)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k-1"}
    child = h.children[0].id
    r = client.post(
        "/api/v1/requests",
        json={"child": child, "lines": [{"date": one.isoformat(), "unit": "REPAS"}]},
        headers=headers,
    )
    assert r.status_code == 201
    r = client.post(
        "/api/v1/requests",
        json={"child": child, "lines": [{"date": two.isoformat(), "unit": "REPAS"}]},
        headers=headers,
    )
    assert r.status_code == 422
    assert r.get_json()["error"] == "idempotency_key_reused"
    assert RequestLine.select().count() == 1


def test_keys_are_per_account(app, client):
    town = f.town()
    a, b = f.household(town, "Martin"), f.household(town, "Durand")
    day = f.open_days(n=1)[0]
    for h in (a, b):
        r = client.post(
            "/api/v1/requests",
            json={"child": h.children[0].id, "lines": [{"date": day.isoformat(), "unit": "REPAS"}]},
            headers={"Authorization": f"Bearer {_token(client, h)}", "Idempotency-Key": "same"},
        )
        assert r.status_code == 201
        assert "Idempotent-Replayed" not in r.headers
    assert IdempotentReply.select().count() == 2


def test_a_failed_send_leaves_no_key_so_its_retry_runs_anew(app, client):
    town = f.town()
    h = f.household(town)
    token = _token(client, h)
    day = f.open_days(n=1)[0]
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "k-2"}
    bad = {"child": h.children[0].id, "lines": [{"date": "2020-01-06", "unit": "REPAS"}]}
    assert client.post("/api/v1/requests", json=bad, headers=headers).status_code == 422
    assert IdempotentReply.select().count() == 0
    good = {"child": h.children[0].id, "lines": [{"date": day.isoformat(), "unit": "REPAS"}]}
    headers["Idempotency-Key"] = "k-3"
    assert client.post("/api/v1/requests", json=good, headers=headers).status_code == 201


def test_the_basket_confirmed_twice_sends_once(auth):
    town = f.town()
    h = f.household(town)
    client = auth.parent(h)
    child = h.children[0]
    day = f.open_days(n=1)[0]
    page = client.get(f"/enfants/{child.id}/planning")
    token = csrf_token(page.get_data(as_text=True))
    r = client.post(
        f"/enfants/{child.id}/selection",
        json={"lines": [{"unit": f.unit(town).id, "date": day.isoformat(), "action": "book"}]},
        headers={"X-CSRFToken": token},
    )
    assert r.get_json()["added"] == 1
    html = client.get("/panier").get_data(as_text=True)
    key = html.split('name="idempotency_key" value="')[1].split('"')[0]
    first = post_form(client, "/panier", {"idempotency_key": key}, action="/panier/confirmer")
    assert first.status_code == 302
    (req,) = Request.select().where(Request.state == "sent")
    assert first.headers["Location"].endswith(f"/demandes/{req.id}")
    before = _counts()
    again = post_form(client, "/panier", {"idempotency_key": key}, action="/panier/confirmer")
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert _counts() == before
    assert f"Demande n° {req.id} envoyée." in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
