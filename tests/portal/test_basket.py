"""The basket: adding a selection, the recap with correct / empty / confirm, the refusal
of a late line with its deadline in French, and the weekly template."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Request
from tests import factories as f
from workflows import basket
from workflows.calendar import PARIS, is_public_holiday, is_school_holiday
from workflows.planning import planning


def test_add_selection_puts_lines_in_the_basket(parent, town):
    days = f.open_days(n=3)
    repas = f.unit(town)
    resp = parent.add([(repas.id, d, "book") for d in days])
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["ok"] and data["added"] == 3 and data["basket_count"] == 3
    assert data["message"] == "3 jours ajoutés au panier."
    html = parent.client.get("/panier").get_data(as_text=True)
    assert "Votre panier" in html and "Léa" in html
    assert "Réserver" in html and "Repas" in html
    assert 'Panier (<span class="basket-count">3</span>)' in html


def test_add_selection_needs_the_csrf_token(parent, town):
    day = f.open_days(n=1)[0]
    resp = parent.client.post(
        f"/enfants/{parent.child.id}/selection",
        json={"lines": [{"unit": f.unit(town).id, "date": day.isoformat(), "action": "book"}]},
    )
    assert resp.status_code == 400
    assert "expiré" in resp.get_json()["message"]
    assert basket.basket_lines(parent.household.id) == []


@pytest.mark.parametrize(
    "body",
    [
        {"lines": []},
        {"lines": [{"unit": "x", "date": "2026-12-14", "action": "book"}]},
        {"lines": [{"unit": 1, "date": "14/12/2026", "action": "book"}]},
        {"lines": [{"unit": 1, "date": "2026-12-14", "action": "delete"}]},
        {"lines": "tout"},
        {"lines": [{"unit": 1, "date": "2026-12-14", "action": "book"}], "also": "Hugo"},
    ],
)
def test_bad_selections_get_a_french_message(parent, body):
    resp = parent.client.post(
        f"/enfants/{parent.child.id}/selection", json=body, headers={"X-CSRFToken": parent.token()}
    )
    assert resp.status_code == 400
    message = resp.get_json()["message"]
    assert message and "Traceback" not in message
    assert any(w in message for w in ("Sélection", "Prestation", "date", "Action", "enfants"))


def test_a_unit_of_another_town_is_refused_in_french(parent):
    elsewhere = f.town()
    day = f.open_days(n=1)[0]
    data = parent.add([(f.unit(elsewhere).id, day, "book")]).get_json()
    assert data["ok"] is False and data["added"] == 0
    assert (
        "n'est pas inscrit" in data["problems"][0]
        or "n'existe pas pour cet enfant" in data["problems"][0]
    )


def test_also_for_brothers_and_sisters(parent, town):
    days = f.open_days(n=2)
    hugo = parent.household.children[1]
    data = parent.add([(f.unit(town).id, d, "book") for d in days], also=[hugo.id]).get_json()
    assert data["added"] == 4
    lines = basket.basket_lines(parent.household.id)
    assert sorted((line.child.first_name, line.date) for line in lines) == sorted(
        [("Léa", d) for d in days] + [("Hugo", d) for d in days]
    )


def test_confirm_sends_the_request_and_enqueues_the_validator(parent, town, queue):
    days = f.open_days(n=2)
    parent.add([(f.unit(town).id, d, "book") for d in days])
    resp = parent.post("/panier/confirmer")
    assert resp.status_code == 302
    (req,) = Request.select().where(Request.household == parent.household.id)
    assert req.state == "sent"
    assert resp.headers["Location"] == f"/demandes/{req.id}"
    html = parent.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"Demande n° {req.id} envoyée." in html
    assert "envoyée, en cours de traitement" in html
    assert "en attente de validation" in html
    assert queue.count == 1
    assert basket.basket_lines(parent.household.id) == []
    cells = planning(parent.child.id, days[0], days[-1])
    assert {c.state for c in cells if c.unit.code == "REPAS"} == {"requested"}


def test_correct_removes_the_chosen_lines_and_empty_empties(parent, town):
    days = f.open_days(n=3)
    parent.add([(f.unit(town).id, d, "book") for d in days])
    first = basket.basket_lines(parent.household.id)[0]
    resp = parent.post("/panier/retirer", data={"line": [str(first.id)]}, follow_redirects=True)
    assert "1 ligne retirée du panier." in resp.get_data(as_text=True)
    assert len(basket.basket_lines(parent.household.id)) == 2
    resp = parent.post("/panier/vider", follow_redirects=True)
    assert "Votre panier a été vidé." in resp.get_data(as_text=True)
    assert basket.basket_lines(parent.household.id) == []


def test_confirm_with_an_empty_basket(parent):
    resp = parent.post("/panier/confirmer", follow_redirects=True)
    assert "Votre panier est vide." in resp.get_data(as_text=True)


def _next_open_school_day(zone="A"):
    d = dt.date.today() + dt.timedelta(days=1)
    while d.isoweekday() not in (1, 2, 4, 5) or is_public_holiday(d) or is_school_holiday(d, zone):
        d += dt.timedelta(days=1)
    return d


def test_a_late_day_is_refused_with_its_deadline_and_the_basket_is_kept(parent, town):
    """A line put in the basket days ago whose deadline has passed since: sending it is
    refused with the deadline in words, and the basket stays as it was."""
    day = _next_open_school_day()
    repas = f.unit(town)
    deadline = repas_deadline = None
    for cell in planning(parent.child.id, day, day):
        if cell.unit.id == repas.id:
            repas_deadline = cell.deadline
    deadline = repas_deadline
    now = dt.datetime.now(PARIS)
    if deadline is None or deadline > now:
        pytest.skip("the next school day's deadline has not passed yet")
    long_ago = deadline - dt.timedelta(days=1)
    problems = basket.basket_add(
        f.parent_actor(parent.household),
        parent.household.id,
        [(parent.child.id, repas.id, day, "book")],
        now=long_ago,
    )
    assert problems == []
    resp = parent.post("/panier/confirmer")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True).replace("&#39;", "'")
    from workflows.calendar import format_deadline_fr

    assert f"Délai dépassé : il fallait réserver avant le {format_deadline_fr(deadline)}." in html
    assert "Votre demande n'a pas été envoyée" in html
    assert len(basket.basket_lines(parent.household.id)) == 1
    assert not Request.select().where(Request.state == "sent").exists()


def test_adding_a_late_day_says_until_when_it_could_be_changed(parent, town):
    day = _next_open_school_day()
    data = parent.add([(f.unit(town).id, day, "book")]).get_json()
    if data["added"]:
        pytest.skip("the next school day's deadline has not passed yet")
    assert "Délai dépassé : il fallait réserver avant le " in data["problems"][0]


def test_weekly_template_adds_every_open_changeable_day(parent, town):
    days = f.open_days(n=10)
    start, end = days[0], days[-1]
    repas = f.unit(town)
    resp = parent.post(
        f"/enfants/{parent.child.id}/semaine-type",
        data={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "action": "book",
            f"j-{repas.id}": ["1", "4"],
            "vue": "mois",
            "date": start.isoformat(),
        },
    )
    assert resp.status_code == 302
    expected = [d for d in days if d.isoweekday() in (1, 4)]
    lines = basket.basket_lines(parent.household.id)
    assert sorted(line.date for line in lines) == expected
    assert {line.unit_id for line in lines} == {repas.id}
    html = parent.client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"{len(expected)} jours ajoutés au panier." in html


def test_weekly_template_never_adds_a_day_that_cannot_change(parent, town):
    """From today on: the days whose deadline has passed are left out."""
    today = dt.date.today()
    repas = f.unit(town)
    parent.post(
        f"/enfants/{parent.child.id}/semaine-type",
        data={
            "start": today.isoformat(),
            "end": (today + dt.timedelta(days=30)).isoformat(),
            "action": "book",
            f"j-{repas.id}": ["1", "2", "4", "5"],
        },
    )
    lines = basket.basket_lines(parent.household.id)
    cells = {
        c.date: c
        for c in planning(parent.child.id, today, today + dt.timedelta(days=30))
        if c.unit.id == repas.id
    }
    assert lines, "some days a month ahead are open"
    assert all(cells[line.date].changeable for line in lines)
    assert all(
        c.changeable is False
        for d, c in cells.items()
        if d not in {line.date for line in lines}
        and c.state == "free"
        and d.isoweekday() in (1, 2, 4, 5)
    )


@pytest.mark.parametrize(
    "data, words",
    [
        ({"start": "", "end": "2026-12-20"}, "date de début"),
        ({"start": "2027-01-10", "end": "2026-12-20"}, "précède"),
        ({"start": "2026-12-01", "end": "2026-12-20"}, "cochez au moins un jour"),
    ],
)
def test_weekly_template_bad_input(parent, town, data, words):
    data = {**data, "action": "book"}
    if words != "cochez au moins un jour":
        data[f"j-{f.unit(town).id}"] = "1"
    resp = parent.post(f"/enfants/{parent.child.id}/semaine-type", data=data, follow_redirects=True)
    assert resp.status_code == 200
    assert words in resp.get_data(as_text=True)
    assert basket.basket_lines(parent.household.id) == []
