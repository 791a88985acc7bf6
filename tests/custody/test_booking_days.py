"""Each household books and cancels only on its own days; a request for the other home's
day is refused in French at sending, and by the validator (a real rq worker) when the
pattern changed after it was sent."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Booking, RequestLine
from tests import factories as f
from workflows import basket, bookings, homes

from ..conftest import run_worker
from .helpers import actor_of, days_of, monday_of, shared_child


def _days(n=10):
    return f.open_days(n=n, weekdays="1245")


def test_each_household_books_its_own_days_and_is_refused_the_others(app):
    town = f.town()
    days = _days(12)
    start = monday_of(days[0])
    martin, durand, lea = shared_child(town, start=start)
    repas = f.unit(town).id
    mine = days_of(martin, martin, durand, days, start)
    theirs = days_of(durand, martin, durand, days, start)
    assert mine and theirs

    bookings.submit(
        f.parent_actor(martin), [bookings.RequestSpec(lea.id, [(repas, mine[0], "book")])]
    )
    with pytest.raises(bookings.RequestRefused) as refused:
        bookings.submit(
            f.parent_actor(martin), [bookings.RequestSpec(lea.id, [(repas, theirs[0], "book")])]
        )
    (problem,) = refused.value.problems
    assert problem.code == "other_home"
    assert "chez l'autre parent" in problem.message_fr

    # the Durand household, from its own account: its days yes, the Martin days no
    (number,) = bookings.submit(
        f.parent_actor(durand), [bookings.RequestSpec(lea.id, [(repas, theirs[0], "book")])]
    )
    problems = basket.basket_add(
        f.parent_actor(durand), durand.id, [(lea.id, repas, mine[1], "book")]
    )
    assert [p.code for p in problems] == ["other_home"]
    # the request belongs to the household that sent it
    line = RequestLine.get(RequestLine.request == number)
    assert line.request.household_id == durand.id


def test_cancelling_is_for_the_household_that_made_the_booking(app):
    town = f.town()
    days = _days(12)
    start = monday_of(days[0])
    martin, durand, lea = shared_child(town, start=start)
    repas = f.unit(town).id
    mine = days_of(martin, martin, durand, days, start)
    bookings.submit(
        f.parent_actor(martin), [bookings.RequestSpec(lea.id, [(repas, mine[0], "book")])]
    )
    run_worker()
    assert Booking.get(Booking.date == mine[0]).state == "booked"
    with pytest.raises(bookings.RequestRefused) as refused:
        bookings.submit(
            f.parent_actor(durand), [bookings.RequestSpec(lea.id, [(repas, mine[0], "cancel")])]
        )
    assert [p.code for p in refused.value.problems] == ["other_household_booking"]


def test_validator_refuses_a_line_whose_day_changed_hands_before_it_was_decided(app, queue):
    town = f.town()
    days = _days(12)
    start = monday_of(days[0])
    martin, durand, lea = shared_child(town, start=start)
    repas = f.unit(town).id
    mine = days_of(martin, martin, durand, days, start)
    (number,) = bookings.submit(
        f.parent_actor(martin), [bookings.RequestSpec(lea.id, [(repas, mine[0], "book")])]
    )
    # Before the validator runs, staff swap the weeks from today: that day is now Durand's.
    staff = f.staff(town, "approver")
    homes.set_pattern(
        actor_of(staff),
        lea.id,
        durand.id,
        "weeks",
        dt.date.today(),
        start=start + dt.timedelta(days=7),
    )
    run_worker()
    line = RequestLine.get(RequestLine.request == number)
    assert line.state == "refused"
    assert line.reason_code == "other_home"
    assert "chez l'autre parent" in line.reason
    assert Booking.get(Booking.date == mine[0]).state == "free"
