"""The JSON API end to end, through the Flask test client: tokens, children, planning,
requests, the status codes a client program relies on, and one household never seeing
another's data."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Account, Booking, Request, RequestLine, Unit
from workflows.calendar import PARIS, Deadline

from .. import factories as f
from ..conftest import run_worker
from ..forms import totp_code


@pytest.fixture
def town(app):
    return f.town()


@pytest.fixture
def api(client):
    class Api:
        def token(self, h, password=f.PASSWORD):
            r = client.post("/api/v1/auth/token", json={"email": h._email, "password": password})
            assert r.status_code == 200, r.get_json()
            return r.get_json()["access_token"]

        def get(self, url, token=None, **kw):
            return client.get(url, headers=_auth(token), **kw)

        def post(self, url, token=None, **kw):
            return client.post(url, headers=_auth(token), **kw)

        def send(self, token, child, lines):
            return self.post("/api/v1/requests", token, json={"child": child.id, "lines": lines})

        def planning(self, token, child, start, end):
            return self.get(f"/api/v1/children/{child.id}/planning?from={start}&to={end}", token)

    return Api()


def _auth(token):
    return {"Authorization": f"Bearer {token}"} if token else {}


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


# -- tokens --------------------------------------------------------------------------------
def test_token_with_the_right_password(api, town, client):
    h = f.household(town)
    r = client.post("/api/v1/auth/token", json={"email": h._email, "password": f.PASSWORD})
    assert r.status_code == 200
    body = r.get_json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert api.get("/api/v1/children", body["access_token"]).status_code == 200
    # the e-mail is matched whatever its case
    r = client.post("/api/v1/auth/token", json={"email": h._email.upper(), "password": f.PASSWORD})
    assert r.status_code == 200


def test_token_refused_with_a_wrong_password_or_unknown_email(town, client):
    h = f.household(town)
    for body in (
        {"email": h._email, "password": "pas-le-bon"},
        {"email": "personne@exemple.fr", "password": f.PASSWORD},
        {"email": h._email},
    ):
        r = client.post("/api/v1/auth/token", json=body)
        _error(r, 401, "invalid_credentials")
        assert "access_token" not in r.get_json()
    _error(
        client.post("/api/v1/auth/token", data="email=x", content_type="text/plain"),
        400,
        "bad_request",
    )


def test_missing_bad_or_revoked_token_is_401(api, town):
    h = f.household(town)
    child = h.children[0]
    urls = [
        "/api/v1/children",
        f"/api/v1/children/{child.id}/planning?from=2026-12-01&to=2026-12-02",
        "/api/v1/requests/1",
    ]
    token = api.token(h)
    for url in urls:
        _error(api.get(url), 401, "unauthorized")
        _error(api.get(url, "not-a-token"), 401, "unauthorized")
        _error(api.get(url, token + "x"), 401, "unauthorized")
    _error(api.send(None, child, [{"date": "2026-12-07", "unit": "REPAS"}]), 401, "unauthorized")
    # "log out everywhere" ends the tokens already given
    Account.update(session_version=Account.session_version + 1).where(
        Account.email == h._email
    ).execute()
    _error(api.get("/api/v1/children", token), 401, "unauthorized")


def test_staff_token_is_not_for_this_api(api, town, client):
    agent = f.staff(town, "approver")
    login = {"email": agent.email, "password": f.PASSWORD}
    # The password alone does not pass: staff have a second factor, here as on the web.
    r = client.post("/api/v1/auth/token", json=login)
    assert r.status_code == 401 and r.get_json()["error"] == "second_factor_required"
    r = client.post("/api/v1/auth/token", json={**login, "code": totp_code(agent.email)})
    _error(api.get("/api/v1/children", r.get_json()["access_token"]), 403, "forbidden")


# -- reading -------------------------------------------------------------------------------
def test_children_lists_only_the_households_children(api, town):
    h = f.household(town, children=("Zoé", "Adam"))
    f.household(town, name="Durand", children=("Inès",))
    body = api.get("/api/v1/children", api.token(h)).get_json()
    assert [(c["first_name"], c["last_name"]) for c in body] == [
        ("Adam", "Martin"),
        ("Zoé", "Martin"),
    ]
    assert {c["id"] for c in body} == {c.id for c in h.children}


def test_planning_cells_states_and_deadlines(api, town):
    h = f.household(town)
    child = h.children[0]
    token = api.token(h)
    monday = f.open_days(weekdays="1", n=1)[0]
    sunday = monday + dt.timedelta(days=6)
    r = api.planning(token, child, monday, sunday)
    assert r.status_code == 200
    body = r.get_json()
    assert (body["child"], body["from"], body["to"]) == (
        child.id,
        monday.isoformat(),
        sunday.isoformat(),
    )
    repas = {c["date"]: c for c in body["cells"] if c["unit"] == "REPAS"}
    assert len(repas) == 7
    wednesday, saturday = monday + dt.timedelta(days=2), monday + dt.timedelta(days=5)
    assert repas[wednesday.isoformat()]["state"] == "closed"
    assert repas[saturday.isoformat()]["state"] == "closed"
    assert repas[saturday.isoformat()]["deadline"] is None
    cell = repas[monday.isoformat()]
    assert (cell["state"], cell["changeable"], cell["unit_id"]) == ("free", True, f.unit(town).id)
    deadline = dt.datetime.fromisoformat(cell["deadline"])
    assert deadline.utcoffset() is not None  # an ISO date-time with its offset
    assert deadline == Deadline(3).for_day(monday)  # the previous Wednesday, 09:00 Paris
    assert deadline.astimezone(PARIS).time() == dt.time(9, 0)
    assert {c["state"] for c in body["cells"]} <= {"closed", "free"}


def test_planning_rejects_bad_periods(api, town):
    h = f.household(town)
    token, child = api.token(h), h.children[0]
    _error(api.planning(token, child, "2026-12-10", "2026-12-01"), 400, "bad_request")
    _error(api.planning(token, child, "2026-12-01", "2028-12-01"), 400, "bad_request")
    _error(api.planning(token, child, "demain", "2026-12-01"), 400, "bad_request")
    _error(api.get(f"/api/v1/children/{child.id}/planning", token), 400, "bad_request")


# -- sending requests ------------------------------------------------------------------------
def test_send_a_request_then_follow_it_until_done(api, town, queue):
    h = f.household(town)
    child, token = h.children[0], api.token(h)
    days = f.open_days(n=3)
    r = api.send(
        token,
        child,
        [{"date": d.isoformat(), "unit": "REPAS"} for d in days]
        + [{"date": days[0].isoformat(), "unit": "GARDERIE MATIN", "action": "book"}],
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    number = body["number"]
    assert Request.get_by_id(number).child_id == child.id
    assert (body["child"], body["state"], body["summary"]) == (child.id, "sent", None)
    assert body["period"] == {"from": days[0].isoformat(), "to": days[-1].isoformat()}
    assert body["sent_at"].endswith("Z")
    assert len(body["lines"]) == 4
    assert {(line["unit"], line["action"], line["state"]) for line in body["lines"]} == {
        ("REPAS", "book", "pending"),
        ("GARDERIE MATIN", "book", "pending"),
    }
    # the planning shows the days requested (yellow)
    wanted = {d.isoformat() for d in days}
    cells = api.planning(token, child, days[0], days[-1]).get_json()["cells"]
    assert {
        c["date"]: c["state"] for c in cells if c["unit"] == "REPAS" and c["date"] in wanted
    } == dict.fromkeys(wanted, "requested")

    # the API asked for a validation; a real worker runs it
    assert queue.count == 1
    run_worker()
    r = api.get(f"/api/v1/requests/{number}", token)
    assert r.status_code == 200
    body = r.get_json()
    assert (body["number"], body["state"], body["summary"]) == (number, "done", "accepted")
    assert {line["state"] for line in body["lines"]} == {"accepted"}
    cells = api.planning(token, child, days[0], days[-1]).get_json()["cells"]
    assert {c["state"] for c in cells if c["unit"] == "REPAS" and c["date"] in wanted} == {"booked"}


def test_malformed_bodies_are_400(api, town):
    h = f.household(town)
    child, token = h.children[0], api.token(h)
    day = f.open_days(n=1)[0].isoformat()
    bad = [
        {"data": "not json", "content_type": "application/json"},
        {"json": ["a", "list"]},
        {"json": {"child": child.id}},
        {"json": {"child": child.id, "lines": []}},
        {"json": {"child": child.id, "lines": "REPAS"}},
        {"json": {"child": child.id, "lines": ["2026-12-07"]}},
        {"json": {"child": child.id, "lines": [{"date": "2026-13-01", "unit": "REPAS"}]}},
        {"json": {"child": child.id, "lines": [{"date": "07/12/2026", "unit": "REPAS"}]}},
        {"json": {"child": child.id, "lines": [{"unit": "REPAS"}]}},
        {"json": {"child": child.id, "lines": [{"date": day, "unit": "REPAS", "action": "eat"}]}},
    ]
    for kw in bad:
        _error(api.post("/api/v1/requests", token, **kw), 400, "bad_request")
    _error(api.send(token, child, [{"date": day, "unit": "PISCINE"}]), 422, "unknown_unit")
    assert Request.select().count() == 0


def _late_open_day(api, token, child):
    """A school day whose booking deadline has already passed (the next few days)."""
    today = dt.date.today()
    cells = api.planning(token, child, today, today + dt.timedelta(days=30)).get_json()["cells"]
    late = [
        c for c in cells if c["unit"] == "REPAS" and c["state"] == "free" and not c["changeable"]
    ]
    if not late:
        pytest.skip("no school day within the next days (holidays)")
    return late[0]


def test_late_day_is_422_with_the_problem_lines(api, town):
    h = f.household(town)
    child, token = h.children[0], api.token(h)
    late = _late_open_day(api, token, child)
    on_time = f.open_days(n=1)[0].isoformat()
    r = api.send(
        token, child, [{"date": on_time, "unit": "REPAS"}, {"date": late["date"], "unit": "REPAS"}]
    )
    body = _error(r, 422, "refused")
    (problem,) = body["lines"]
    assert (problem["date"], problem["code"], problem["action"], problem["child"]) == (
        late["date"],
        "late",
        "book",
        child.id,
    )
    deadline = dt.datetime.fromisoformat(late["deadline"]).astimezone(PARIS)
    assert deadline.isoformat(timespec="minutes") in problem["message"]
    # nothing was sent, not even the day that was on time
    assert Request.select().count() == RequestLine.select().count() == 0


def test_booking_a_day_already_asked_for_is_409(api, town):
    h = f.household(town)
    child, token = h.children[0], api.token(h)
    day = f.open_days(n=1)[0].isoformat()
    assert api.send(token, child, [{"date": day, "unit": "REPAS"}]).status_code == 201
    body = _error(api.send(token, child, [{"date": day, "unit": "REPAS"}]), 409, "conflict")
    assert [(p["date"], p["code"]) for p in body["lines"]] == [(day, "already_booked")]
    # cancelling a day that is not booked (only requested) is a conflict too
    body = _error(
        api.send(token, child, [{"date": day, "unit": "REPAS", "action": "cancel"}]),
        409,
        "conflict",
    )
    assert body["lines"][0]["code"] == "not_booked"
    assert Request.select().count() == 1


def test_unknown_child_is_404(api, town):
    h = f.household(town)
    token = api.token(h)
    day = f.open_days(n=1)[0].isoformat()
    for child in (987654, "1", None):
        r = api.post(
            "/api/v1/requests",
            token,
            json={"child": child, "lines": [{"date": day, "unit": "REPAS"}]},
        )
        _error(r, 404, "not_found")
    _error(
        api.get("/api/v1/children/987654/planning?from=2026-12-01&to=2026-12-02", token),
        404,
        "not_found",
    )
    _error(api.get("/api/v1/requests/987654", token), 404, "not_found")


# -- isolation between households --------------------------------------------------------
def test_a_parent_never_reaches_another_households_data(api, town):
    a, b = f.household(town, name="Martin"), f.household(town, name="Durand")
    token_a, token_b = api.token(a), api.token(b)
    child_b = b.children[0]
    day = f.open_days(n=1)[0]
    r = api.send(token_b, child_b, [{"date": day.isoformat(), "unit": "REPAS"}])
    number_b = r.get_json()["number"]

    for r in (
        api.planning(token_a, child_b, day, day),
        api.send(
            token_a, child_b, [{"date": (day + dt.timedelta(days=7)).isoformat(), "unit": "REPAS"}]
        ),
        api.send(
            token_a, child_b, [{"date": day.isoformat(), "unit": "REPAS", "action": "cancel"}]
        ),
        api.get(f"/api/v1/requests/{number_b}", token_a),
    ):
        body = _error(r, 404, "not_found")
        assert "cells" not in body and "lines" not in body
    assert child_b.id not in {c["id"] for c in api.get("/api/v1/children", token_a).get_json()}
    # B's data is untouched and still B's
    assert Request.select().count() == 1
    assert Booking.select().count() == 1
    assert api.get(f"/api/v1/requests/{number_b}", token_b).status_code == 200
    # a household of another town is no closer
    c = f.household(f.town(), name="Petit")
    _error(api.get(f"/api/v1/requests/{number_b}", api.token(c)), 404, "not_found")


def test_a_basket_is_not_a_sent_request(api, town):
    h = f.household(town)
    basket = Request.create(household=h, child=h.children[0])  # state "basket"
    _error(api.get(f"/api/v1/requests/{basket.id}", api.token(h)), 404, "not_found")


# -- the OpenAPI document -----------------------------------------------------------------
def _api_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if (
            rule.endpoint.startswith(("api.", "api_content.", "api_staff."))
            and rule.rule != "/api/openapi.json"
        ):
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
            routes.setdefault(path, set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}
            )
    return routes


def test_openapi_document_is_valid_and_lists_every_path(app, client):
    from openapi_spec_validator import validate

    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    validate(spec)  # raises on an invalid OpenAPI document
    assert spec["openapi"].startswith("3.")
    routes = _api_routes(app)
    assert len(routes) == 9
    assert {p: set(ops) for p, ops in spec["paths"].items()} == routes
    public = {"/api/v1/auth/token", "/api/v1/news", "/api/v1/sites", "/api/v1/menus"}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op["responses"], (path, method)
            if path.startswith("/api/v1/staff/"):
                assert op["security"] == [{"staffToken": []}]
                assert "401" in op["responses"]
            elif path not in public:
                assert op["security"] == [{"bearer": []}]
                assert "401" in op["responses"]
    assert "201" in spec["paths"]["/api/v1/requests"]["post"]["responses"]
    assert {"400", "404", "409", "422"} <= set(
        spec["paths"]["/api/v1/requests"]["post"]["responses"]
    )


def test_a_send_where_every_line_is_refused_is_409_with_the_reasons(api, town):
    """A unit decided at sending (instant) that is full: nothing is booked, so the answer is
    not a 201 with a refused summary but a 409 listing each line's reason."""
    h = f.household(town)
    child = h.children[0]
    unit = f.unit(town, "GARDERIE MATIN")
    Unit.update(approval_mode="instant", capacity=0).where(Unit.id == unit.id).execute()
    token = api.token(h)
    day = f.open_days(n=1)[0].isoformat()
    r = api.send(token, child, [{"date": day, "unit": "GARDERIE MATIN"}])
    body = _error(r, 409, "conflict")
    [line] = body["lines"]
    assert line["state"] == "refused" and line["reason_code"] == "full"
    assert "Plus de place" in line["reason"]
    # the request exists, refused, and reads the same later
    again = api.get(f"/api/v1/requests/{body['number']}", token)
    assert again.status_code == 200 and again.get_json()["lines"][0]["state"] == "refused"


def test_a_shared_child_from_its_second_home(api, town):
    """The API of the second home: the shared child is listed, its planning marks the other
    home's days, a request for one is refused (422, other_home), and the other household's
    requests stay out of reach."""
    from ..custody.helpers import days_of, monday_of, shared_child

    days = f.open_days(n=12)
    start = monday_of(days[0])
    martin, durand, lea = shared_child(town, start=start)
    token = api.token(durand)
    body = api.get("/api/v1/children", token).get_json()
    assert {c["first_name"] for c in body} == {"Léa", "Zoé"}
    mine = days_of(durand, martin, durand, days, start)
    theirs = days_of(martin, martin, durand, days, start)
    cells = api.planning(token, lea, days[0], days[-1]).get_json()["cells"]
    repas = {c["date"]: c for c in cells if c["unit"] == "REPAS"}
    assert all(repas[d.isoformat()]["other_home"] for d in theirs)
    assert not any(repas[d.isoformat()]["other_home"] for d in mine)
    assert not any(repas[d.isoformat()]["changeable"] for d in theirs)
    refused = _error(
        api.send(token, lea, [{"date": theirs[0].isoformat(), "unit": "REPAS"}]), 422, "refused"
    )
    assert [line["code"] for line in refused["lines"]] == ["other_home"]
    r = api.send(token, lea, [{"date": mine[0].isoformat(), "unit": "REPAS"}])
    assert r.status_code == 201, r.get_json()
    assert Request.get_by_id(r.get_json()["number"]).household_id == durand.id
    martin_token = api.token(martin)
    (number,) = (
        api.send(martin_token, lea, [{"date": theirs[0].isoformat(), "unit": "REPAS"}]).get_json()[
            "number"
        ],
    )
    _error(api.get(f"/api/v1/requests/{number}", token), 404, "not_found")
