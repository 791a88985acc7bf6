"""Mes demandes: the list with each request's state, and the detail with each line."""

from __future__ import annotations

from tests import factories as f
from workflows import bookings, decisions, sent_requests
from workflows.accounts import actor_for


def test_list_and_detail_follow_the_validation(parent, town):
    days = f.open_days(n=2)
    parent.add([(f.unit(town).id, d, "book") for d in days])
    parent.post("/panier/confirmer")
    html = parent.client.get("/demandes").get_data(as_text=True)
    assert "Demande n° 1" in html and "Léa" in html
    assert "◷" in html and "envoyée, en cours de traitement" in html
    assert days[0].strftime("%Y") in html  # the period
    decisions.sweep()
    html = parent.client.get("/demandes").get_data(as_text=True)
    assert "✓" in html and "traitée : acceptée" in html
    detail = parent.client.get("/demandes/1").get_data(as_text=True)
    assert detail.count("acceptée") >= 3  # the request and its two lines
    assert "Réserver" in detail and "Repas" in detail


def test_refused_lines_show_their_reason(auth, town):
    household = f.household(town, name="Petit", wednesday=True)
    child = household.children[0]
    mercredi = f.unit(town, "MERCREDI REPAS")  # decided by staff
    wednesday = f.open_days(weekdays="3", n=1)[0]
    (number,) = bookings.submit(
        f.parent_actor(household),
        [bookings.RequestSpec(child.id, [(mercredi.id, wednesday, "book")])],
    )
    agent = f.staff(town, "approver")
    line_ids = [line.id for line in sent_requests.request_lines(number)]
    decisions.staff_decide(actor_for(agent), line_ids, "refuse", "Sortie scolaire ce jour-là")

    client = auth.parent(household)
    html = client.get(f"/demandes/{number}").get_data(as_text=True)
    assert "✕" in html and "refusée" in html
    assert "Motif : Sortie scolaire ce jour-là" in html
    assert "traitée : refusée" in client.get("/demandes").get_data(as_text=True)
