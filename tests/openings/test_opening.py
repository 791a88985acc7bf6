"""An opening from the parents' requests to the published allocation: the rules of issue 15
that a parent or the town checks."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Booking, OutgoingMail, Request, RequestLine, WorkflowHistory
from models.openings import Opening, OpeningDecision, OpeningRequest
from workflows import draw
from workflows.accounts import actor_for
from workflows.opening_allocation import allocate, compute, publish
from workflows.openings import OpeningRefused, ask

from .. import factories as f
from .conftest import AFTER, NOW

JULY = [dt.date(2027, 7, d) for d in (6, 7, 8)]


def parent(h):
    return actor_for(h.guardians[0].account)


def test_seed_committed_at_opening_and_hash_public(opening):
    o = Opening.get_by_id(opening.id)
    assert o.state == "collecting"
    assert len(o.seed) == 64 and o.seed_hash == draw.seed_hash(o.seed)
    assert WorkflowHistory.get(workflow="opening", object_id=o.id).transition == "open"


def test_last_word_wins_one_request_per_child(town, opening):
    h = f.household(town, "Durand", children=("Léa",))
    child = h.children[0]
    first = ask(parent(h), opening, child.id, JULY, now=NOW)
    again = ask(parent(h), opening, child.id, JULY[:1], together=True, now=NOW)
    assert first.number == again.number
    rows = list(OpeningRequest.select().where(OpeningRequest.child == child.id))
    assert len(rows) == 1 and rows[0].days == "2027-07-06" and rows[0].together


def test_after_close_refused_in_french(town, opening):
    h = f.household(town, "Durand")
    with pytest.raises(OpeningRefused) as e:
        ask(parent(h), opening, h.children[0].id, JULY, now=AFTER)
    assert str(e.value) == (
        "Les demandes sont closes depuis le vendredi 27 novembre à 18 h : "
        "votre demande n'a pas été enregistrée."
    )
    assert OpeningRequest.select().count() == 0


def test_allocation_capacity_waiting_list_history_and_mail(town, opening, centre):
    unit = centre[1]
    families = [f.household(town, f"F{i}", children=("A",)) for i in range(5)]
    for h in families:
        ask(parent(h), opening, h.children[0].id, JULY, now=NOW)
    assert allocate(opening.id, now=NOW) is None  # still collecting
    assert allocate(opening.id, now=AFTER) == 15
    assert allocate(opening.id, now=AFTER) is None  # once
    opening = Opening.get_by_id(opening.id)
    assert opening.state == "allocated"
    preview = [(d.child_id, d.date, d.outcome, d.rank) for d in compute(opening)]
    stored = list(OpeningDecision.select().order_by(OpeningDecision.id))
    assert sorted(preview) == sorted((d.child_id, d.date, d.outcome, d.rank) for d in stored)
    admin = f.staff(town, "admin")
    assert publish(opening, actor_for(admin), now=AFTER) == 5
    for day in JULY:
        booked = Booking.select().where(
            Booking.unit == unit.id, Booking.date == day, Booking.state == "booked"
        )
        waiting = Booking.select().where(
            Booking.unit == unit.id, Booking.date == day, Booking.state == "waiting"
        )
        assert booked.count() == 3
        assert sorted(b.rank for b in waiting) == [1, 2]
    assert Request.select().where(Request.state == "done").count() == 5
    assert RequestLine.select().where(RequestLine.state == "queued").count() == 6
    history = WorkflowHistory.select().where(
        WorkflowHistory.workflow == "booking", WorkflowHistory.transition == "accept"
    )
    assert history.count() == 9
    assert all("tirage au sort" in h.comment for h in history)
    mails = list(OutgoingMail.select().where(OutgoingMail.kind == "opening_published"))
    assert len(mails) == 5
    assert any("liste d'attente, rang 1" in m.text for m in mails)
    assert all(opening.seed in m.text for m in mails)


def test_priorities_and_siblings_together(town, centre):
    from workflows.opening_demo import summer_opening

    unit = centre[1]
    opening = summer_opening(town, unit, now=NOW, rules=["resident", "siblings"])
    outsiders = [f.household(town, f"Ext{i}", children=("A",)) for i in range(4)]
    residents = [f.household(town, f"Res{i}", children=("B",)) for i in range(2)]
    siblings = f.household(town, "Fratrie", children=("C", "D"))
    for h in outsiders:
        ask(parent(h), opening, h.children[0].id, JULY, now=NOW)
    for h in residents:
        ask(parent(h), opening, h.children[0].id, JULY, resident=True, now=NOW)
    for c in siblings.children:
        ask(parent(siblings), opening, c.id, JULY[:2], together=True, now=NOW)
    allocate(opening.id, now=AFTER)
    out = {(d.child_id, d.date): d for d in OpeningDecision.select()}
    for h in residents:
        assert all(out[(h.children[0].id, d)].outcome == "admitted" for d in JULY)
        assert out[(h.children[0].id, JULY[0])].rule == "resident"
    # 3 places, 2 residents: the siblings (2 children) cannot both go, so neither does.
    c, d = siblings.children
    outcomes = {out[(k.id, day)].outcome for k in (c, d) for day in JULY[:2]}
    assert outcomes == {"waiting"}
    # On each day exactly one outsider took the last place.
    for day in JULY:
        admitted = [o for o in out.values() if o.date == day and o.outcome == "admitted"]
        assert len(admitted) == 3


def test_a_place_freed_goes_to_the_first_waiting(town, opening, centre):
    """After publication the waiting lists are the booking workflow's own: a cancellation
    confirmed admits the first waiting child of that day."""
    from workflows import bookings
    from workflows.decisions import decide, line_items, line_rows

    unit = centre[1]
    families = [f.household(town, f"F{i}", children=("A",)) for i in range(4)]
    for h in families:
        ask(parent(h), opening, h.children[0].id, JULY[:1], now=NOW)
    allocate(opening.id, now=AFTER)
    admin = actor_for(f.staff(town, "admin"))
    publish(Opening.get_by_id(opening.id), admin, now=AFTER)
    day = JULY[0]
    (first_waiting,) = Booking.select().where(Booking.state == "waiting", Booking.rank == 1)
    leaving = Booking.select().where(Booking.state == "booked").first()
    owner = next(h for h in families if h.children[0].id == leaving.child_id)
    (rid,) = bookings.submit(
        parent(owner), [bookings.RequestSpec(leaving.child_id, [(unit.id, day, "cancel")])]
    )
    items = line_items(line_rows().where(RequestLine.request == rid))
    decide(items, admin, "approver")
    assert Booking.get_by_id(leaving.id).state == "free"
    assert Booking.get_by_id(first_waiting.id).state == "booked"


def test_places_booked_meanwhile_refuse_publish_until_reallocated(town, opening, centre):
    from workflows.opening_allocation import reallocate

    unit = centre[1]
    families = [f.household(town, f"F{i}", children=("A",)) for i in range(4)]
    for h in families:
        ask(parent(h), opening, h.children[0].id, JULY[:1], now=NOW)
    allocate(opening.id, now=AFTER)
    other = f.household(town, "Autre")
    Booking.create(child=other.children[0], unit=unit, date=JULY[0], state="booked")
    admin = actor_for(f.staff(town, "admin"))
    opening = Opening.get_by_id(opening.id)
    with pytest.raises(OpeningRefused) as e:
        publish(opening, admin, now=AFTER)
    assert "Des places ont été prises depuis l'attribution" in str(e.value)
    assert Opening.get_by_id(opening.id).state == "allocated"
    assert reallocate(opening, admin, now=AFTER) == 4
    publish(Opening.get_by_id(opening.id), admin, now=AFTER)
    booked = Booking.select().where(Booking.date == JULY[0], Booking.state == "booked")
    assert booked.count() == 3  # the unit's 3 places, one of them taken before
