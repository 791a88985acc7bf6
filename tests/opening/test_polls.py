"""Polling costs little: the request and planning polls answer "nothing changed" (304)
without rebuilding their data, and the change itself as soon as there is one."""

from __future__ import annotations

from workflows import basket, bookings

from .. import factories as f
from ..conftest import run_worker


def test_the_api_request_poll_says_nothing_changed_until_it_is_decided(app, client):
    town = f.town()
    h = f.household(town)
    r = client.post("/api/v1/auth/token", json={"email": h._email, "password": f.PASSWORD})
    auth = {"Authorization": f"Bearer {r.get_json()['access_token']}"}
    day = f.open_days(n=1)[0]
    sent = client.post(
        "/api/v1/requests",
        json={"child": h.children[0].id, "lines": [{"date": day.isoformat(), "unit": "REPAS"}]},
        headers=auth,
    )
    number = sent.get_json()["number"]
    first = client.get(f"/api/v1/requests/{number}", headers=auth)
    assert first.status_code == 200 and first.get_json()["state"] == "sent"
    tag = first.headers["ETag"]
    same = client.get(f"/api/v1/requests/{number}", headers={**auth, "If-None-Match": tag})
    assert same.status_code == 304 and same.get_data() == b""
    run_worker()
    decided = client.get(f"/api/v1/requests/{number}", headers={**auth, "If-None-Match": tag})
    assert decided.status_code == 200
    assert decided.get_json()["state"] == "done"
    assert decided.headers["ETag"] != tag


def test_the_planning_poll_says_nothing_changed_until_a_cell_changes(auth):
    town = f.town()
    h = f.household(town)
    child = h.children[0]
    day = f.open_days(n=1)[0]
    client = auth.parent(h)
    url = f"/enfants/{child.id}/planning.json?from={day.replace(day=1)}&to={day}"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"
    tag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and len(again.get_data()) == 0
    bookings.submit(
        f.parent_actor(h), [bookings.RequestSpec(child.id, [(f.unit(town).id, day, "book")])]
    )
    changed = client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    cell = next(
        c
        for c in changed.get_json()["cells"]
        if c["date"] == day.isoformat() and c["unit"] == "REPAS"
    )
    assert cell["state"] == "requested"
    assert changed.headers["ETag"] != tag
    # the basket too
    tag = changed.headers["ETag"]
    basket.basket_add(
        f.parent_actor(h), h.id, [(child.id, f.unit(town, "GARDERIE MATIN").id, day, "book")]
    )
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 200
