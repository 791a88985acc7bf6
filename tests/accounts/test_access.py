"""Every parent route, tried as another household, as staff and as a logged-out visitor."""

import pytest

from models import Child
from models.accounts import PickupPerson
from models.catalogue import Enrolment
from workflows import households

from .. import factories as f
from ..forms import csrf_token

PAGES = [
    "/ma-famille",
    "/mon-compte",
    "/mon-compte/historique",
    "/mon-compte/mes-donnees",
    "/mes-inscriptions",
    "/mes-inscriptions/demande",
]


@pytest.fixture
def two_families(auth, town):
    mine = f.household(town, "Martin")
    theirs = f.household(town, "Durand", children=("Zoé",))
    return mine, theirs, auth.parent(mine)


@pytest.mark.parametrize(
    "url", PAGES + ["/mon-compte/mot-de-passe", "/mon-compte/collectivites/adherer"]
)
def test_logged_out_visitors_go_to_the_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and "/connexion" in r.headers["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_staff_get_403_on_parent_pages(auth, town, url):
    assert auth.admin(town).get(url).status_code == 403


def test_another_households_objects_give_404(app, two_families):
    mine, theirs, client = two_families
    their_enrolment = Enrolment.select().join(Child).where(Child.household == theirs.id).first()
    their_guardian = theirs.guardians[0]
    their_pickup = households.add_pickup_person(theirs, None, "Paul", "Durand")
    token = csrf_token(client.get("/ma-famille").get_data(as_text=True))
    assert client.get(f"/mes-inscriptions/{their_enrolment.id}/attestation.pdf").status_code == 404
    assert (
        client.post(
            f"/mes-inscriptions/{their_enrolment.id}/retirer", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/ma-famille/responsables/{their_guardian.id}",
            data={"csrf_token": token, f"g{their_guardian.id}-phone": "0"},
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/ma-famille/personnes-autorisees/{their_pickup.id}/supprimer",
            data={"csrf_token": token},
        ).status_code
        == 404
    )
    assert PickupPerson.select().count() == 1
    r = client.post(
        "/mon-compte/collectivites/changer", data={"csrf_token": token, "household": str(theirs.id)}
    )
    assert r.status_code == 404
    # their data never shows on my pages
    assert "Zoé" not in client.get("/ma-famille").get_data(as_text=True)
    assert "Zoé" not in client.get("/mon-compte/mes-donnees").get_data(as_text=True)


def test_request_for_another_households_child_is_refused(app, two_families, town):
    from models.accounts import EnrolmentOffer

    mine, theirs, client = two_families
    d = town._demo
    EnrolmentOffer.create(service=d["wednesday"], site=d["leisure"], capacity=2)
    page = client.get("/mes-inscriptions/demande").get_data(as_text=True)
    token = csrf_token(page)
    their_child = theirs.children[0]
    years = __import__("workflows.enrolments", fromlist=["x"]).school_years()
    r = client.post(
        "/mes-inscriptions/demande",
        data={
            "csrf_token": token,
            "child": str(their_child.id),
            "year": f"{years[0][0]}_{years[0][1]}",
            "offer": f"{d['wednesday'].id}_{d['leisure'].id}",
            "days": ["3"],
        },
    )
    assert r.status_code == 200  # the form answers "not a valid choice"
    assert Enrolment.select().where(Enrolment.state == "requested").count() == 0


def test_bad_input_gives_no_stack_trace(parent_client):
    assert parent_client.get("/mon-compte/historique?vue=x&date=pas-une-date").status_code == 200
    assert parent_client.get("/mes-inscriptions/abc/attestation.pdf").status_code == 404
    assert parent_client.get("/mes-inscriptions/999999/attestation.pdf").status_code == 404
