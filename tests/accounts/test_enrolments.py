"""Enrolment requests in the workflow: requested → active / waiting / refused, the waiting
list admitted in order when a place frees, withdrawal by the parent, the certificate."""

import pytest

from models import WorkflowHistory
from models.accounts import EnrolmentOffer
from models.catalogue import Enrolment
from workflows import enrolments
from workflows.accounts import actor_for
from workflows.engine import Forbidden, GuardFailed

from .. import factories as f
from ..forms import post_form
from .conftest import drain, mails_to


@pytest.fixture
def offer(town):
    d = town._demo
    # the demo's Wednesday enrolments are reused by households made with wednesday=True
    return EnrolmentOffer.create(service=d["wednesday"], site=d["leisure"], capacity=1)


def _spec(town, h, child=None):
    d = town._demo
    start, end = enrolments.school_years()[0]
    return enrolments.EnrolmentSpec(
        (child or h.children[0]).id, d["wednesday"].id, d["leisure"].id, start, end, "3"
    )


def _request(town, h):
    return enrolments.request_enrolment(f.parent_actor(h), _spec(town, h))


def test_parent_requests_online(parent_client, town, family, offer):
    start, end = enrolments.school_years()[0]
    d = town._demo
    r = post_form(
        parent_client,
        "/mes-inscriptions/demande",
        {
            "child": str(family.children[0].id),
            "year": f"{start}_{end}",
            "offer": f"{d['wednesday'].id}_{d['leisure'].id}",
            "days": ["3"],
        },
    )
    assert r.status_code == 302
    e = Enrolment.get(Enrolment.state == "requested")
    assert e.usual_days == "3"
    assert WorkflowHistory.get(WorkflowHistory.workflow == "enrolment").to_state == "requested"
    assert "Demandée" in parent_client.get("/mes-inscriptions").get_data(as_text=True)
    # asking twice for the same service and period is refused
    r = post_form(
        parent_client,
        "/mes-inscriptions/demande",
        {
            "child": str(family.children[0].id),
            "year": f"{start}_{end}",
            "offer": f"{d['wednesday'].id}_{d['leisure'].id}",
            "days": ["3"],
        },
    )
    assert "déjà inscrit(e) ou a déjà une demande" in r.get_data(as_text=True)


def test_a_service_not_open_online_cannot_be_asked(town, family):
    with pytest.raises(enrolments.EnrolmentError):
        _request(town, family)


def test_accept_then_full_then_waiting_list_admitted_in_order(app, town, offer, queue):
    staff = actor_for(f.staff(town, "approver"))
    a, b, c = (f.household(town, n) for n in ("Alpha", "Bravo", "Charlie"))
    ea, eb, ec = (_request(town, h) for h in (a, b, c))
    assert enrolments.decide(staff, ea.id, "accept") == "active"
    with pytest.raises(GuardFailed) as exc:
        enrolments.decide(staff, eb.id, "accept")
    assert exc.value.code == "full"
    enrolments.decide(staff, eb.id, "queue")
    enrolments.decide(staff, ec.id, "queue")
    with pytest.raises(GuardFailed):  # no place: nobody is admitted
        enrolments.decide(staff, ec.id, "admit")
    admin = actor_for(f.staff(town, "admin", email="admin@mairie.fr"))
    assert enrolments.end(admin, ea.id) == [eb.id]  # the first waiting takes the place
    assert Enrolment.get_by_id(ec.id).state == "waiting"


def test_refusal_needs_a_reason_and_parents_cannot_decide(town, family, offer):
    e = _request(town, family)
    staff = actor_for(f.staff(town, "approver"))
    with pytest.raises(GuardFailed):
        enrolments.decide(staff, e.id, "refuse")
    with pytest.raises(Forbidden):
        enrolments.decide(f.parent_actor(family), e.id, "accept")
    assert enrolments.decide(staff, e.id, "refuse", "Plus de place cette année") == "refused"


def test_staff_of_another_town_cannot_decide(town, other_town, family, offer):
    e = _request(town, family)
    with pytest.raises(Forbidden):
        enrolments.decide(actor_for(f.staff(other_town, "approver")), e.id, "accept")


def test_withdraw_by_the_parent(parent_client, town, family, offer):
    e = _request(town, family)
    r = post_form(
        parent_client, "/mes-inscriptions", {}, action=f"/mes-inscriptions/{e.id}/retirer"
    )
    assert r.status_code == 302
    assert Enrolment.get_by_id(e.id).state == "withdrawn"


def test_withdrawn_waiting_request_lets_the_next_one_move_up(town, offer):
    staff = actor_for(f.staff(town, "approver"))
    a, b = f.household(town, "Alpha"), f.household(town, "Bravo")
    ea, eb = _request(town, a), _request(town, b)
    enrolments.decide(staff, ea.id, "queue")
    enrolments.decide(staff, eb.id, "queue")
    enrolments.withdraw(f.parent_actor(a), ea.id)
    assert Enrolment.get_by_id(eb.id).state == "active"  # capacity 1, nobody active


def test_a_requested_enrolment_opens_no_booking(town, family, offer):
    from workflows import planning  # noqa: F401 - planning reads active enrolments only

    e = _request(town, family)
    assert e.state == "requested"
    assert (
        Enrolment.select()
        .where(
            Enrolment.child == family.children[0].id,
            Enrolment.service == town._demo["wednesday"].id,
            Enrolment.state == "active",
        )
        .count()
        == 0
    )


def test_certificate_pdf(parent_client, family):
    e = Enrolment.select().where(Enrolment.child == family.children[0].id).first()
    r = parent_client.get(f"/mes-inscriptions/{e.id}/attestation.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF")


def test_decision_email(app, town, family, offer, queue):
    from workflows.account_mails import enrolment_decision

    e = _request(town, family)
    enrolments.decide(actor_for(f.staff(town, "approver")), e.id, "refuse", "Complet")
    enrolment_decision(e.id)
    [mail] = mails_to(app, family._email)
    assert "refusée" in mail["Subject"]
    assert "Motif : Complet" in mail.get_body(preferencelist=("plain",)).get_content()
    drain(queue)
