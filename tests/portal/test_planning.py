"""A child's planning: month and week views, the JSON the page polls, bad input."""

from __future__ import annotations

import datetime as dt

from tests import factories as f
from workflows import basket, bookings, decisions


def test_home_lists_the_children_with_their_plannings(parent):
    html = parent.client.get("/").get_data(as_text=True)
    for child in parent.household.children:
        assert child.first_name in html
        assert f"/enfants/{child.id}/planning" in html
    assert "Panier (" in html and "Mes demandes" in html


def _book_and_sweep(parent, town, days):
    actor = f.parent_actor(parent.household)
    bookings.submit(
        actor, [bookings.RequestSpec(parent.child.id, [(f.unit(town).id, d, "book") for d in days])]
    )
    decisions.sweep()


def test_week_view_shows_states_in_words_and_deadlines(parent, town):
    days = f.open_days(n=2)
    _book_and_sweep(parent, town, days[:1])
    html = parent.client.get(
        f"/enfants/{parent.child.id}/planning?vue=semaine&date={days[0].isoformat()}"
    ).get_data(as_text=True)
    assert "Semaine du" in html
    assert "✓" in html and "réservé" in html  # booked, not by colour alone
    assert "○" in html and "libre" in html
    assert "modifiable jusqu&#39;au" in html or "modifiable jusqu'au" in html
    assert "Toute la semaine" in html and "Jours habituels" in html
    assert "Tous les lundis" in html and "Tous les jours affichés" in html
    assert 'name="also"' in html  # Hugo: "Appliquer aussi à"


def test_month_view_marks_closed_days_and_basket(parent, town):
    day = f.open_days(n=1)[0]
    basket.basket_add(
        f.parent_actor(parent.household),
        parent.household.id,
        [(parent.child.id, f.unit(town).id, day, "book")],
    )
    html = parent.client.get(
        f"/enfants/{parent.child.id}/planning?date={day.isoformat()}"
    ).get_data(as_text=True)
    assert "toute la semaine" in html
    assert "au panier : à réserver" in html
    assert "in-basket" in html
    # Saturdays and Sundays are not columns (no unit runs then); a Wednesday has no school
    # service: no column either.
    assert "sam." not in html and "mer.</abbr>" not in html


def test_planning_json_gives_each_cell_state_and_deadline(parent, town):
    days = f.open_days(n=2)
    _book_and_sweep(parent, town, days[:1])
    resp = parent.client.get(
        f"/enfants/{parent.child.id}/planning.json"
        f"?from={days[0].isoformat()}&to={days[1].isoformat()}"
    )
    assert resp.status_code == 200
    data = resp.get_json()
    cells = {(c["unit"], c["date"]): c for c in data["cells"]}
    booked = cells[("REPAS", days[0].isoformat())]
    assert (booked["state"], booked["icon"], booked["text"]) == ("booked", "✓", "réservé")
    assert booked["action"] == "cancel" and booked["changeable"]
    assert booked["detail"].startswith("modifiable jusqu'au ")
    free = cells[("REPAS", days[1].isoformat())]
    assert free["state"] == "free" and free["action"] == "book"
    assert data["basket_count"] == 0


def test_planning_json_refuses_bad_dates_in_french(parent):
    base = f"/enfants/{parent.child.id}/planning.json"
    for query in (
        "",
        "?from=demain&to=2026-12-01",
        "?from=2026-12-10&to=2026-12-01",
        "?from=2026-01-01&to=2028-01-01",
    ):
        resp = parent.client.get(base + query)
        assert resp.status_code == 400
        assert resp.get_json()["ok"] is False
        assert "date" in resp.get_json()["message"] or "période" in resp.get_json()["message"]


def test_bad_date_in_the_planning_url_falls_back_to_today(parent):
    resp = parent.client.get(f"/enfants/{parent.child.id}/planning?date=31/12/2026&vue=zzz")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "n&#39;est pas valide" in html or "n'est pas valide" in html
    assert "Planning de Léa" in html


def test_closed_holiday_days_say_why(parent):
    # 25 December is a public holiday and inside the Christmas school holidays.
    year = dt.date.today().year
    html = parent.client.get(
        f"/enfants/{parent.child.id}/planning?vue=semaine&date={year}-12-21"
    ).get_data(as_text=True)
    assert "vacances scolaires" in html or "jour férié" in html


def test_a_day_whose_deadline_has_passed_says_so_in_words(parent, town):
    """Not only a colour: a free day too late to book reads "délai dépassé"."""
    import datetime as _dt

    day = _dt.date.today() + _dt.timedelta(days=1)
    end = day + _dt.timedelta(days=40)
    data = parent.client.get(
        f"/enfants/{parent.child.id}/planning.json?from={day.isoformat()}&to={end.isoformat()}"
    ).get_json()
    repas = [c for c in data["cells"] if c["unit"] == "REPAS" and c["state"] == "free"]
    late = [c for c in repas if not c["changeable"]]
    if not late:
        import pytest

        pytest.skip("no school day of the next weeks is past its deadline (holidays)")
    assert all(c["late"] and c["late_text"] == "délai dépassé" for c in late)
    assert not any(c["late"] for c in repas if c["changeable"])
    html = parent.client.get(
        f"/enfants/{parent.child.id}/planning?date={late[0]['date']}"
    ).get_data(as_text=True)
    assert '<span class="late">délai dépassé</span>' in html
