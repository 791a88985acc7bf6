"""Overload: a request that cannot get a slot in time is answered 503 at once, with
Retry-After, in French on pages and in JSON under /api/; slots go by priority."""

from __future__ import annotations

import threading
import time

from web.gate import LOGIN, PAGE, POLL, SEND, Kind, Slots, kind_of

from .. import factories as f


def _busy_app(app):
    app.config["GATE_SLOTS"] = 0  # every slot taken: the overload, simulated
    from web.gate import init_app

    init_app(app)
    return app.test_client()


def test_an_api_request_gets_a_fast_503_with_retry_after(app):
    client = _busy_app(app)
    started = time.monotonic()
    r = client.post("/api/v1/auth/token", json={"email": "a@exemple.fr", "password": "x"})
    assert time.monotonic() - started < 1.5
    assert r.status_code == 503
    seconds = int(r.headers["Retry-After"])
    assert 10 <= seconds <= 20
    assert r.get_json()["error"] == "overloaded"
    assert f"retry after {seconds} seconds" in r.get_json()["message"]


def test_a_page_gets_a_french_page_saying_when_to_come_back(app):
    client = _busy_app(app)
    r = client.get("/connexion")
    assert r.status_code == 503
    text = r.get_data(as_text=True)
    assert f"Revenez dans\n  <strong>{r.headers['Retry-After']} secondes</strong>" in text
    assert "ni perdues ni\n  envoyées deux fois" in text
    assert r.headers["Content-Type"].startswith("text/html")


def test_static_files_pass_the_gate(app):
    client = _busy_app(app)
    r = client.get("/static/portail.css")
    assert r.status_code == 200
    r.close()


def test_requests_are_sorted_by_kind():
    assert kind_of("POST", "/api/v1/requests") is SEND
    assert kind_of("POST", "/panier/confirmer") is SEND
    assert kind_of("POST", "/connexion") is LOGIN
    assert kind_of("POST", "/connexion/code") is LOGIN  # the second factor
    assert kind_of("GET", "/api/v1/requests/12") is POLL
    assert kind_of("GET", "/enfants/3/planning.json") is POLL
    assert kind_of("GET", "/enfants/3/planning") is PAGE
    assert kind_of("GET", "/static/planning.js") is None


def test_a_freed_slot_goes_to_the_waiting_send_before_the_waiting_poll():
    slots = Slots(1)
    assert slots.take(PAGE)  # the one slot is taken
    got = []

    def wait_for(kind):
        if slots.take(Kind(kind.name, kind.priority, 5.0)):
            got.append(kind.name)
            time.sleep(0.05)
            slots.give_back()

    threads = [threading.Thread(target=wait_for, args=(k,)) for k in (POLL, SEND)]
    for t in threads:
        t.start()
    while slots.waiting < 2:
        time.sleep(0.01)
    slots.give_back()
    for t in threads:
        t.join(10)
    assert got == ["send", "poll"]


def test_a_wait_longer_than_its_kind_allows_is_refused_and_leaves_no_trace():
    slots = Slots(1)
    assert slots.take(PAGE)
    started = time.monotonic()
    assert not slots.take(Kind("poll", 3, 0.2))
    assert 0.15 < time.monotonic() - started < 1.0
    slots.give_back()
    assert slots.take(PAGE)  # the refused one took nothing with it


def test_the_app_answers_normally_with_free_slots(app, client):
    f.town()
    assert client.get("/connexion").status_code == 200


def test_a_full_queue_turns_a_newcomer_away_at_once_but_a_send_pushes_out_a_poll():
    slots = Slots(1, queue=1)
    assert slots.take(PAGE)
    outcome = {}

    def poll():
        outcome["poll"] = slots.take(Kind("poll", 3, 5.0))

    waiter = threading.Thread(target=poll)
    waiter.start()
    while slots.waiting < 1:
        time.sleep(0.01)
    started = time.monotonic()
    assert not slots.take(Kind("poll", 3, 5.0))  # the queue is full: refused at once
    assert time.monotonic() - started < 0.5
    granted = {}

    def send():
        granted["send"] = slots.take(Kind("send", 0, 5.0))

    sender = threading.Thread(target=send)
    sender.start()
    waiter.join(5)
    assert outcome == {"poll": False}  # pushed out by the send, at once
    slots.give_back()
    sender.join(5)
    assert granted == {"send": True}
