"""Leaving a waiting list: one rule for the workflow and the planning (until the booking
deadline, like withdrawing a pending day)."""

from __future__ import annotations

import datetime as dt

from models import Booking, RequestLine, Unit
from workflows import bookings, decisions, sent_requests
from workflows.calendar import PARIS
from workflows.planning import planning
from workflows.units import unit_infos, until

from .. import factories as f


def _waiting(town):
    repas, day = f.unit(town), f.open_days(n=1)[0]
    Unit.update(capacity=1, waiting_list=True).where(Unit.id == repas.id).execute()
    first, second = f.household(town, name="Martin"), f.household(town, name="Durand")
    for h in (first, second):
        bookings.submit(
            f.parent_actor(h), [bookings.RequestSpec(h.children[0].id, [(repas.id, day, "book")])]
        )
        decisions.sweep()
    line = RequestLine.get(RequestLine.child == second.children[0])
    assert line.state == "queued"
    deadline = until(unit_infos([repas.id])[repas.id], "book", day, dt.datetime.now(PARIS)).at
    return second, repas, day, line, deadline


def _cell(h, repas, day, now):
    (cell,) = [c for c in planning(h.children[0].id, day, day, now=now) if c.unit.id == repas.id]
    return cell


def test_before_the_deadline_the_planning_and_the_workflow_both_let_the_parent_leave(app):
    h, repas, day, line, deadline = _waiting(f.town())
    before = deadline - dt.timedelta(hours=1)
    cell = _cell(h, repas, day, before)
    assert (cell.state, cell.as_dict()["withdrawable"]) == ("waiting", True)
    done, problems = sent_requests.withdraw_lines(f.parent_actor(h), h.id, [line.id], now=before)
    assert (done, problems) == (1, [])
    assert Booking.get(Booking.child == h.children[0]).state == "free"


def test_after_the_deadline_neither_lets_the_parent_leave(app):
    h, repas, day, line, deadline = _waiting(f.town())
    late = deadline + dt.timedelta(minutes=1)
    cell = _cell(h, repas, day, late)
    assert (cell.state, cell.changeable, cell.as_dict()["withdrawable"]) == (
        "waiting",
        False,
        False,
    )
    done, problems = sent_requests.withdraw_lines(f.parent_actor(h), h.id, [line.id], now=late)
    assert done == 0
    assert [(i, text.startswith("Délai dépassé")) for i, text in problems] == [(line.id, True)]
    assert Booking.get(Booking.child == h.children[0]).state == "waiting"
    assert RequestLine.get_by_id(line.id).state == "queued"
