"""The attendance screen's JSON door: marks kept, replays answered the same, bad input in
French, only the roles of its row in the permission table."""

from __future__ import annotations

from models import AttendanceMark
from workflows.permissions import TABLE

from .. import factories as f
from ..billing.helpers import book
from ..forms import csrf_token


def _post(client, page_url, body):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    return client.post("/admin/pointage/marques", json=body, headers={"X-CSRFToken": token})


def test_marks_through_the_screen(auth, town_a):
    repas, day = f.unit(town_a), f.open_days(n=1)[0]
    lea = f.household(town_a).children[0]
    stranger = f.household(town_a, name="Durand").children[0]
    book(lea, repas, [day])
    client = auth.staff(town_a, "animator")
    url = f"/admin/pointage/?unit={repas.id}&date={day.isoformat()}"
    page = client.get(url).get_data(as_text=True)
    assert "Martin Léa" in page and "Présence non prévue" in page
    mark = {"id": "m-1", "child": lea.id, "status": "absent", "at": "2026-12-02T08:00:00Z"}
    body = {"unit": repas.id, "date": day.isoformat(), "marks": [mark]}
    assert _post(client, url, body).json == {"kept": {"m-1": "absent"}}
    assert _post(client, url, body).json == {"kept": {"m-1": "absent"}}  # sent twice
    assert AttendanceMark.select().count() == 1
    bad = {**body, "marks": [{**mark, "id": "m-2", "child": stranger.id}]}
    resp = _post(client, url, bad)
    assert resp.status_code == 422
    assert resp.json["message"].startswith("Cet enfant n'est pas attendu ce jour")
    assert _post(client, url, {"unit": "x"}).json["message"] == "Pointage illisible."


def test_only_the_screens_roles(auth, town_a):
    assert TABLE["admin_attendance"]["list"] == {"animator", "approver"}  # admin holds all
    assert auth.approver(town_a).get("/admin/pointage/").status_code == 200
    assert auth.finance(town_a).get("/admin/pointage/").status_code == 403


def test_two_tablets_and_a_bad_batch_save_nothing_twice_or_by_half(auth, town_a):
    """The same child ticked on two tablets (two mark ids) is one row, the latest tick;
    a batch with a child neither expected nor added is refused whole, in French."""
    repas, day = f.unit(town_a), f.open_days(n=1)[0]
    lea = f.household(town_a).children[0]
    stranger = f.household(town_a, name="Durand").children[0]
    book(lea, repas, [day])
    one, two = auth.staff(town_a, "animator"), auth.staff(town_a, "animator")
    url = f"/admin/pointage/?unit={repas.id}&date={day.isoformat()}"
    body = {"unit": repas.id, "date": day.isoformat()}
    first = {"id": "tab-1", "child": lea.id, "status": "absent", "at": "2026-12-02T08:00:00Z"}
    later = {"id": "tab-2", "child": lea.id, "status": "present", "at": "2026-12-02T08:05:00Z"}
    assert _post(two, url, {**body, "marks": [later]}).status_code == 200
    assert _post(one, url, {**body, "marks": [first]}).status_code == 200  # arrives last
    assert [(m.status, m.mark_id) for m in AttendanceMark.select()] == [("present", "tab-2")]
    mixed = [
        {**first, "id": "tab-3", "status": "justified", "at": "2026-12-02T09:00:00Z"},
        {**first, "id": "tab-4", "child": stranger.id},
    ]
    resp = _post(one, url, {**body, "marks": mixed})
    assert resp.status_code == 422 and "n'est pas attendu" in resp.json["message"]
    assert [(m.status, m.mark_id) for m in AttendanceMark.select()] == [("present", "tab-2")]
