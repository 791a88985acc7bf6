"""« Dossier foyer »: found by any of its names, numbers and addresses, its whole file, and
a day booked for the family by staff through the parent's operation, the staff member
named in the history."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Account, Booking, Guardian, Household, WorkflowHistory
from workflows import decisions

from .. import factories as f
from ..billing.helpers import issued_invoice, pdftotext
from ..forms import csrf_token


def test_search_by_every_key(auth, town_a, town_b):
    h = f.household(town_a, name="Martin", children=("Léa",))
    Household.update(caf_number="1234567").where(Household.id == h.id).execute()
    Guardian.update(phone="06 12 34 56 78").where(Guardian.household == h.id).execute()
    f.household(town_b, name="Martin")  # another town's
    client = auth.approver(town_a)
    for q in ("mart", "Camille", h._email[:6], "0612345678", "06 12 34", "léa", "1234567"):
        page = client.get("/admin/dossier-foyer/", query_string={"q": q}).get_data(as_text=True)
        assert page.count(f'/admin/dossier-foyer/{h.id}"') == 1, q
        assert page.count("<li><a href") == 1, q
    page = client.get("/admin/dossier-foyer/", query_string={"q": "zzz"}).get_data(as_text=True)
    assert "Aucun foyer trouvé." in page


def test_the_file_and_booking_for_the_family(auth, town_b, school_days):
    town, h, invoice = issued_invoice(days=3)
    client = auth.approver(town)
    url = f"/admin/dossier-foyer/{h.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Foyer Martin" in page and "Restauration scolaire" in page
    assert invoice.number in page and "Solde dû" in page
    (cert,) = [e for e in h.children[0].enrolments if e.service.name == "Restauration scolaire"]
    pdf = client.get(f"{url}/attestation/{cert.id}.pdf")
    assert pdf.mimetype == "application/pdf" and "Attestation" in pdftotext(pdf.data)
    staff = f.staff(town, "approver", email="agent.dupont@mairie.fr")
    Account.update(display_name="Claire Dupont").where(Account.id == staff.id).execute()
    agent = auth.login(staff)
    page = agent.get(url).get_data(as_text=True)
    # the parents' planning component, sending for the family
    child = h.children[0]
    send_url = f"{url}/enfants/{child.id}/reserver"
    assert 'id="planning"' in page and f'data-add-url="{send_url}"' in page
    assert "Envoyer pour la famille" in page and "Ajouter au panier" not in page
    day = school_days[0]
    cells = agent.get(
        f"{url}/enfants/{child.id}/planning.json",
        query_string={"from": day.isoformat(), "to": day.isoformat()},
    ).json["cells"]
    repas = f.unit(town)
    assert {(c["unit_id"], c["action"]) for c in cells} >= {(repas.id, "book")}
    resp = agent.post(
        send_url,
        json={"lines": [{"unit": repas.id, "date": day.isoformat(), "action": "book"}]},
        headers={"X-CSRFToken": csrf_token(page)},
    )
    assert resp.json["ok"] and "envoyée pour Léa (1 jour)" in resp.json["message"]
    decisions.sweep()
    row = WorkflowHistory.get(
        WorkflowHistory.workflow == "booking", WorkflowHistory.transition == "request"
    )
    assert row.actor_id == staff.id and row.role == "approver"
    page = agent.get(url).get_data(as_text=True)
    assert "Claire Dupont" in page and "Réservé" in page
    # the same planning and rules as the parent: booked twice is refused, nothing written
    resp = agent.post(
        send_url,
        json={"lines": [{"unit": repas.id, "date": day.isoformat(), "action": "book"}]},
        headers={"X-CSRFToken": csrf_token(page)},
    )
    assert resp.status_code == 422 and resp.json["problems"]
    # a day outside any school year: refused in French, nothing written
    before = Booking.select().count()
    resp = agent.post(
        send_url,
        json={"lines": [{"unit": repas.id, "date": "2027-08-02", "action": "book"}]},
        headers={"X-CSRFToken": csrf_token(page)},
    )
    assert resp.status_code == 422 and resp.json["message"] == "Rien n'a été envoyé."
    assert resp.json["problems"] and Booking.select().count() == before
    parent = auth.parent(h).get(f"/enfants/{child.id}/planning").get_data(as_text=True)
    assert 'id="planning"' in parent and "Ajouter au panier" in parent
    assert auth.approver(town_b).get(url).status_code == 404
    finance = auth.finance(town)
    page = finance.get(url).get_data(as_text=True)
    assert 'id="planning"' in page and "Envoyer pour la famille" not in page  # read only
    resp = finance.post(
        send_url,
        json={"lines": [{"unit": repas.id, "date": day.isoformat(), "action": "cancel"}]},
        headers={"X-CSRFToken": csrf_token(page)},
    )
    assert resp.status_code == 403


def test_a_day_past_its_deadline_only_with_the_right_and_marked(auth, town_a):
    h = f.household(town_a, name="Martin", children=("Léa",))
    child = h.children[0]
    url = f"/admin/dossier-foyer/{h.id}"
    today = dt.date.today()
    span = {"from": today.isoformat(), "to": (today + dt.timedelta(days=30)).isoformat()}
    plain = auth.approver(town_a)
    cells = plain.get(f"{url}/enfants/{child.id}/planning.json", query_string=span).json["cells"]
    late = [c for c in cells if c["late"] and c["state"] == "free" and c["date"] > span["from"]]
    if not late:
        pytest.skip("no school day with its deadline passed in the coming month")
    cell = late[0]
    assert cell["action"] is None  # as for the parent: not selectable
    line = {"unit": cell["unit_id"], "date": cell["date"], "action": "book"}
    page = plain.get(url).get_data(as_text=True)
    resp = plain.post(
        f"{url}/enfants/{child.id}/reserver",
        json={"lines": [line]},
        headers={"X-CSRFToken": csrf_token(page)},
    )
    assert resp.status_code == 422 and not Booking.select().exists()

    granted = auth.staff(town_a, "approver,late_changes")
    cells = granted.get(f"{url}/enfants/{child.id}/planning.json", query_string=span).json["cells"]
    same = next(c for c in cells if c["key"] == cell["key"])
    assert same["action"] == "book" and same["late_text"] == "délai dépassé"
    page = granted.get(url).get_data(as_text=True)
    resp = granted.post(
        f"{url}/enfants/{child.id}/reserver",
        json={"lines": [line]},
        headers={"X-CSRFToken": csrf_token(page)},
    )
    assert resp.json["ok"] and "dont 1 hors délai" in resp.json["message"]
    assert Booking.get(Booking.child == child.id).state == "booked"
    assert "hors délai (droit accordé)" in granted.get(url).get_data(as_text=True)


def test_the_same_days_for_a_brother_or_sister(auth, town_a):
    h = f.household(town_a, name="Martin", children=("Léa", "Hugo"))
    lea, hugo = sorted(h.children, key=lambda c: c.first_name)
    url = f"/admin/dossier-foyer/{h.id}"
    client = auth.approver(town_a)
    page = client.get(url, query_string={"enfant": hugo.id}).get_data(as_text=True)
    assert "Appliquer aussi à" in page and f'name="also" value="{lea.id}"' in page
    days, repas = f.open_days(n=2), f.unit(town_a)
    lines = [{"unit": repas.id, "date": d.isoformat(), "action": "book"} for d in days]
    send = f"{url}/enfants/{hugo.id}/reserver"
    resp = client.post(
        send, json={"lines": lines, "also": [lea.id]}, headers={"X-CSRFToken": csrf_token(page)}
    )
    assert resp.json["ok"] and len(resp.json["numbers"]) == 2, resp.json
    assert "pour Hugo (2 jours)" in resp.json["message"]
    assert "pour Léa (2 jours)" in resp.json["message"]
    assert Booking.select().count() == 4
    # the days are asked for now: asking again is refused, nothing more written
    resp = client.post(
        send, json={"lines": lines, "also": [lea.id]}, headers={"X-CSRFToken": csrf_token(page)}
    )
    assert resp.status_code == 422 and Booking.select().count() == 4
