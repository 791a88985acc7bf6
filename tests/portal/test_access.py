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


def test_a_shared_child_reaches_both_homes_and_nothing_of_the_other_household(auth, app):
    """The access matrix with a child shared by two homes: each household reads the child's
    planning, and never the other's address, invoices, requests or enrolment papers; a
    third household reaches nothing."""
    from models import Enrolment, Household
    from models.billing import Invoice

    from ..billing.helpers import issued_invoice
    from ..custody.helpers import actor_of

    town, martin, martin_invoice = issued_invoice(name="Martin")
    _, durand, durand_invoice = issued_invoice(town, name="Durand", children=("Zoé",))
    stranger = f.household(town, "Petit", ("Tom",))
    Household.update(address="12 rue des Lilas").where(Household.id == martin.id).execute()
    Household.update(address="3 impasse des Ormes").where(Household.id == durand.id).execute()
    lea = martin.children[0]
    from workflows import homes

    homes.set_pattern(actor_of(f.staff(town)), lea.id, durand.id, "both", f.open_days(n=1)[0])
    day = f.open_days(n=1)[0]
    repas = f.unit(town).id
    (martin_request,) = bookings.submit(
        f.parent_actor(martin), [bookings.RequestSpec(lea.id, [(repas, day, "book")])]
    )
    (durand_request,) = bookings.submit(
        f.parent_actor(durand),
        [bookings.RequestSpec(durand.children[0].id, [(repas, day, "book")])],
    )
    enrolment = Enrolment.get(Enrolment.child == lea.id)
    clients = {h.id: auth.parent(h) for h in (martin, durand, stranger)}
    own = {
        martin.id: (martin_invoice, martin_request, "12 rue des Lilas"),
        durand.id: (durand_invoice, durand_request, "3 impasse des Ormes"),
    }
    for me, other in ((martin, durand), (durand, martin)):
        c = clients[me.id]
        assert c.get(f"/enfants/{lea.id}/planning").status_code == 200
        invoice, request, address = own[other.id]
        assert c.get(f"/factures/{invoice.id}").status_code == 404
        assert c.get(f"/factures/{invoice.id}.pdf").status_code == 404
        assert c.get(f"/demandes/{request}").status_code == 404
        for page in ("/", "/demandes", "/factures?etat=toutes", "/ma-famille", "/mon-compte"):
            text = html.unescape(c.get(page).get_data(as_text=True))
            assert address not in text, page
            assert invoice.number not in text, page
            assert f"n° {request}" not in text and f"/demandes/{request}" not in text, page
        mine, my_request, my_address = own[me.id]
        assert c.get(f"/factures/{mine.id}").status_code == 200
        assert c.get(f"/demandes/{my_request}").status_code == 200
    # the enrolment's papers stay with the child's own household
    assert (
        clients[martin.id].get(f"/mes-inscriptions/{enrolment.id}/attestation.pdf").status_code
        == 200
    )
    assert (
        clients[durand.id].get(f"/mes-inscriptions/{enrolment.id}/attestation.pdf").status_code
        == 404
    )
    # a third household reaches nothing of the shared child
    c = clients[stranger.id]
    assert c.get(f"/enfants/{lea.id}/planning").status_code == 404
    assert c.get(f"/demandes/{martin_request}").status_code == 404
    assert Invoice.select().count() == 2
