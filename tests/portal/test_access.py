"""Who may see what: logged-out visitors go to the login page, and a parent never reaches
another household's child or request (404, not 403, so nothing leaks)."""

from __future__ import annotations

import html

import pytest

from tests import factories as f
from workflows import basket, bookings


@pytest.mark.parametrize(
    "path", ["/", "/demandes", "/panier", "/enfants/1/planning", "/demandes/1"]
)
def test_logged_out_visitor_is_sent_to_the_login_page(client, path):
    resp = client.get(path)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/connexion")


def test_logged_out_json_poll_gets_a_401_the_page_can_explain(client):
    resp = client.get("/enfants/1/planning.json?from=2026-12-14&to=2026-12-18")
    assert resp.status_code == 401
    assert resp.get_json()["error"] == "unauthorized"


def test_parent_gets_404_for_another_households_child(parent, other_parent):
    zoe = other_parent.child
    c = parent.client
    assert c.get(f"/enfants/{zoe.id}/planning").status_code == 404
    assert c.get(f"/enfants/{zoe.id}/planning?vue=semaine").status_code == 404
    resp = c.get(f"/enfants/{zoe.id}/planning.json?from=2026-12-14&to=2026-12-18")
    assert resp.status_code == 404
    assert "accessible" in resp.get_json()["message"]


def test_parent_cannot_add_to_basket_for_another_households_child(parent, other_parent, town):
    zoe = other_parent.child
    day = f.open_days(n=1)[0]
    resp = parent.add([(f.unit(town).id, day, "book")], child=zoe)
    assert resp.status_code == 404
    resp = parent.post(
        f"/enfants/{zoe.id}/semaine-type",
        data={
            "start": day.isoformat(),
            "end": day.isoformat(),
            "action": "book",
            f"j-{f.unit(town).id}": str(day.isoweekday()),
        },
    )
    assert resp.status_code == 404
    assert basket.basket_lines(other_parent.household.id) == []
    assert basket.basket_lines(parent.household.id) == []


def test_sibling_of_another_household_is_ignored(parent, other_parent, town):
    """ "Appliquer aussi à" with a foreign child's id adds nothing for that child."""
    day = f.open_days(n=1)[0]
    resp = parent.add([(f.unit(town).id, day, "book")], also=[other_parent.child.id])
    assert resp.status_code == 200
    assert {line.child_id for line in basket.basket_lines(parent.household.id)} == {parent.child.id}
    assert basket.basket_lines(other_parent.household.id) == []


def test_parent_gets_404_for_another_households_request(parent, other_parent, town):
    actor = f.parent_actor(other_parent.household)
    (number,) = bookings.submit(
        actor,
        [
            bookings.RequestSpec(
                other_parent.child.id, [(f.unit(town).id, f.open_days(n=1)[0], "book")]
            )
        ],
    )
    assert other_parent.client.get(f"/demandes/{number}").status_code == 200
    resp = parent.client.get(f"/demandes/{number}")
    assert resp.status_code == 404
    assert "Page introuvable" in resp.get_data(as_text=True)
    assert f"n° {number}" not in parent.client.get("/demandes").get_data(as_text=True)


def test_unknown_child_and_request_are_404_in_french(parent):
    for path in ("/enfants/999999/planning", "/demandes/999999"):
        resp = parent.client.get(path)
        assert resp.status_code == 404
        assert "n'existe pas" in html.unescape(resp.get_data(as_text=True))


def test_staff_account_is_turned_away(auth, town):
    assert auth.approver(town).get("/panier").status_code == 403
