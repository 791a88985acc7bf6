"""The approvers' worklist: what it lists, its filters, and the batch decisions."""

from __future__ import annotations

from models import Booking, RequestLine, WorkflowHistory

from .. import factories as f
from .conftest import decide, send, worklist_page


def _pending_ids():
    return [
        line.id
        for line in RequestLine.select()
        .where(RequestLine.state == "pending")
        .order_by(RequestLine.id)
    ]


def test_it_lists_lines_of_staff_units_only(app, auth, town_a, wednesdays, school_days):
    h = f.household(town_a, "Dupuis", children=("Zoé",), wednesday=True)
    (number,) = send(town_a, h, "MERCREDI REPAS", wednesdays[:1])
    send(town_a, h, "REPAS", school_days)  # timer unit, just sent: not the approvers' business
    staff = f.staff(town_a)
    client = auth.login(staff)

    page = worklist_page(client)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('name="line"') == 1
    assert "Zoé Dupuis" in html and "Mercredi repas" in html and "Réservation" in html
    assert f"<td>{number}</td>" in html
    assert "Centre de loisirs" in html
    assert f"mercredi {wednesdays[0]:%d/%m/%Y}" in html
    assert "Repas<" not in html  # the timer unit's lines are not there


def test_lines_the_timer_left_behind_show_up(app, auth, town_a, school_days):
    app.config["STALE_AFTER"] = -60  # every timer line counts as late
    h = f.household(town_a, "Dupuis")
    send(town_a, h, "REPAS", school_days[:1])
    client = auth.approver(town_a)
    html = worklist_page(client).get_data(as_text=True)
    assert html.count('name="line"') == 1 and "en retard" in html


def test_filter_by_child_and_date(app, auth, town_a, wednesdays):
    h1 = f.household(town_a, "Dupuis", children=("Zoé",), wednesday=True)
    h2 = f.household(town_a, "Garcia", children=("Noé",), wednesday=True)
    send(town_a, h1, "MERCREDI REPAS", wednesdays)
    send(town_a, h2, "MERCREDI MATIN", wednesdays)
    client = auth.approver(town_a)

    assert worklist_page(client).get_data(as_text=True).count('name="line"') == 6
    html = worklist_page(client, child="zoé").get_data(as_text=True)
    assert html.count('name="line"') == 3 and "Noé" not in html
    html = worklist_page(client, child="garcia").get_data(as_text=True)
    assert html.count('name="line"') == 3 and "Zoé" not in html
    day = wednesdays[1].isoformat()
    html = worklist_page(client, start=day, end=day).get_data(as_text=True)
    assert html.count('name="line"') == 2
    assert f"{wednesdays[0]:%d/%m/%Y}" not in html
    html = worklist_page(client, start=day, end=day, child="Noé").get_data(as_text=True)
    assert html.count('name="line"') == 1
    unit = f.unit(town_a, "MERCREDI MATIN")
    html = worklist_page(client, unit=unit.id).get_data(as_text=True)
    assert html.count('name="line"') == 3 and "Zoé" not in html
    site = town_a._demo["leisure"]
    assert worklist_page(client, site=site.id).get_data(as_text=True).count('name="line"') == 6
    school = town_a._demo["schools"][0]
    html = worklist_page(client, site=school.id).get_data(as_text=True)
    assert 'name="line"' not in html and "Aucune ligne en attente pour ces filtres" in html


def test_batch_accept_books_and_logs_the_approver(app, auth, town_a, wednesdays):
    h = f.household(town_a, "Dupuis", wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays)
    staff = f.staff(town_a)
    client = auth.login(staff)
    ids = _pending_ids()

    response = decide(client, ids[:2], "accept")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 lignes acceptées, 0 refusée, 0 en liste d&#39;attente." in html

    lines = {line.id: line for line in RequestLine.select()}
    assert [lines[i].state for i in ids] == ["accepted", "accepted", "pending"]
    assert lines[ids[0]].decided_by_id == staff.id
    booked = Booking.select().where(Booking.line.in_(ids[:2]))
    assert {b.state for b in booked} == {"booked"}
    assert Booking.get(Booking.line == ids[2]).state == "requested"
    rows = list(WorkflowHistory.select().where(WorkflowHistory.transition == "accept"))
    assert len(rows) == 2
    assert {(r.workflow, r.actor_id, r.role, r.from_state, r.to_state) for r in rows} == {
        ("booking", staff.id, "approver", "requested", "booked")
    }
    assert html.count('name="line"') == 1  # the decided lines left the worklist


def test_batch_refuse_frees_the_cells_with_the_reason(app, auth, town_a, wednesdays):
    h = f.household(town_a, "Dupuis", wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays[:2])
    staff = f.staff(town_a)
    client = auth.login(staff)
    ids = _pending_ids()
    reason = "Le centre de loisirs est complet ce mercredi."

    response = decide(client, ids, "refuse", reason)
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 ligne acceptée, 2 refusées, 0 en liste d&#39;attente." in html

    for line in RequestLine.select():
        assert (line.state, line.reason, line.decided_by_id) == ("refused", reason, staff.id)
    assert {b.state for b in Booking.select()} == {"free"}
    assert {b.refusal_reason for b in Booking.select()} == {reason}
    rows = list(WorkflowHistory.select().where(WorkflowHistory.transition == "refuse"))
    assert len(rows) == 2
    assert {(r.actor_id, r.role, r.comment) for r in rows} == {(staff.id, "approver", reason)}


def test_refuse_without_a_reason_changes_nothing(app, auth, town_a, wednesdays):
    h = f.household(town_a, "Dupuis", wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays[:2])
    client = auth.approver(town_a)
    ids = _pending_ids()
    history = WorkflowHistory.select().count()

    response = decide(client, ids, "refuse", "   ")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Indiquez le motif du refus" in html and "Aucune ligne n&#39;a été modifiée" in html
    assert html.count("checked aria-label") == 2  # the selection is kept
    assert {line.state for line in RequestLine.select()} == {"pending"}
    assert {b.state for b in Booking.select()} == {"requested"}
    assert WorkflowHistory.select().count() == history


def test_a_batch_without_a_token_is_refused(app, auth, town_a, wednesdays):
    h = f.household(town_a, "Dupuis", wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays[:1])
    client = auth.approver(town_a)
    response = client.post(
        "/admin/demandes-a-traiter/", data={"decision": "accept", "line": _pending_ids()}
    )
    assert response.status_code == 400
    assert {line.state for line in RequestLine.select()} == {"pending"}


def test_nothing_ticked(app, auth, town_a, wednesdays):
    h = f.household(town_a, "Dupuis", wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays[:1])
    client = auth.approver(town_a)
    response = decide(client, [], "accept")
    assert response.status_code == 400
    assert "Cochez au moins une ligne." in response.get_data(as_text=True)
