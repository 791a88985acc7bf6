"""Staff book for a family: within the deadline as the parent would; past it only with the
right an admin grants (late_changes), decided at once and marked in the history."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Booking, WorkflowHistory
from workflows import bookings, decisions
from workflows.accounts import actor_for
from workflows.calendar import PARIS
from workflows.staff_bookings import LATE_COMMENT, book_for_family

from .. import factories as f
from .school_year import BEFORE_EVERYTHING, household

MONDAY = dt.date(2026, 12, 7)  # deadline Wednesday 2 December 09:00
LATE = dt.datetime(2026, 12, 4, 10, 0, tzinfo=PARIS)


def test_within_the_deadline_as_the_parent_would(town_a):
    child = household(town_a).children[0]
    staff = f.staff(town_a, "approver")
    number, late = book_for_family(
        actor_for(staff), child.id, f.unit(town_a).id, MONDAY, "book", now=BEFORE_EVERYTHING
    )
    assert not late
    decisions.sweep(now=BEFORE_EVERYTHING)
    assert Booking.get(Booking.child == child).state == "booked"
    row = WorkflowHistory.get(
        WorkflowHistory.workflow == "booking", WorkflowHistory.transition == "request"
    )
    assert (row.actor_id, row.role) == (staff.id, "approver")


def test_past_the_deadline_only_with_the_right(town_a):
    child = household(town_a).children[0]
    repas = f.unit(town_a).id
    with pytest.raises(bookings.RequestRefused) as e:
        book_for_family(
            actor_for(f.staff(town_a, "approver")), child.id, repas, MONDAY, "book", now=LATE
        )
    assert e.value.problems[0].code == "late"
    assert not Booking.select().exists()

    granted = f.staff(town_a, "approver,late_changes")
    number, late = book_for_family(actor_for(granted), child.id, repas, MONDAY, "book", now=LATE)
    assert late
    assert Booking.get(Booking.child == child).state == "booked"  # decided at once
    decisions.sweep(now=LATE)
    assert Booking.get(Booking.child == child).state == "booked"
    rows = list(
        WorkflowHistory.select().where(
            WorkflowHistory.workflow == "booking", WorkflowHistory.comment == LATE_COMMENT
        )
    )
    assert {r.transition for r in rows} == {"request", "accept"}
    assert {r.actor_id for r in rows} == {granted.id}
