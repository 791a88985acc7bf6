"""Late changes are refused with the deadline in the parent's words: before they are sent,
and by the validator when a line reached the database after its deadline."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Booking, RequestLine
from workflows import bookings, decisions, sent_requests
from workflows.calendar import PARIS, to_utc_naive

from .. import factories as f
from .school_year import BEFORE_EVERYTHING, cells_of, household

MONDAY = dt.date(2026, 12, 7)  # deadline: Wednesday 2 December, 09:00
LATE_TEXT = "Délai dépassé : il fallait réserver avant le mercredi 2 décembre à 9h00."
CANCEL_TEXT = "Délai dépassé : il fallait annuler avant le mercredi 2 décembre à 9h00."


def _book(h, day=MONDAY, now=BEFORE_EVERYTHING, action="book"):
    child = h.children[0]
    return bookings.submit(
        f.parent_actor(h),
        [bookings.RequestSpec(child.id, [(f.unit(h._town).id, day, action)])],
        now=now,
    )


def test_late_request_is_refused_before_it_is_sent(town_a):
    h = household(town_a)
    # one minute before the deadline it goes through...
    _book(household(town_a), now=dt.datetime(2026, 12, 2, 8, 59, tzinfo=PARIS))
    # ...at the deadline it does not, and the message names the deadline
    with pytest.raises(bookings.RequestRefused) as refused:
        _book(h, now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS))
    (problem,) = refused.value.problems
    assert (problem.code, problem.date) == ("late", MONDAY)
    assert problem.message_fr == LATE_TEXT
    assert (
        "Délai dépassé : il fallait réserver avant le mercredi 2 décembre à 9h00"
        in problem.message_fr
    )
    assert problem.as_dict()["message"] == (
        "Deadline passed: could be changed until 2026-12-02T09:00+01:00."
    )
    # nothing reached the database for this household
    assert not Booking.select().where(Booking.child == h.children[0]).exists()
    cell = cells_of(h.children[0], MONDAY, MONDAY, now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS))
    assert (cell[(MONDAY, "REPAS")].state, cell[(MONDAY, "REPAS")].changeable) == ("free", False)


def test_late_cancellation_is_refused_with_its_deadline(town_a):
    h = household(town_a)
    _book(h)
    decisions.sweep()
    with pytest.raises(bookings.RequestRefused) as refused:
        _book(h, action="cancel", now=dt.datetime(2026, 12, 3, 18, 0, tzinfo=PARIS))
    assert [(p.code, p.message_fr) for p in refused.value.problems] == [("late", CANCEL_TEXT)]
    assert Booking.get().state == "booked"


def test_line_that_reached_the_database_late_is_refused_by_the_validator(town_a):
    h = household(town_a)
    child = h.children[0]
    (number,) = _book(h, now=dt.datetime(2026, 12, 2, 8, 0, tzinfo=PARIS))
    # the line was in fact written after the deadline (a clock skew, a slow transaction)
    late = to_utc_naive(dt.datetime(2026, 12, 2, 9, 0, 1, tzinfo=PARIS))
    RequestLine.update(sent_at=late).execute()
    assert Booking.get().state == "requested"

    assert decisions.sweep() == 1

    line = RequestLine.get()
    assert (line.state, line.reason_code, line.reason) == ("refused", "late", LATE_TEXT)
    booking = Booking.get()
    assert (booking.state, booking.refusal_code, booking.refusal_reason) == (
        "free",
        "late",
        LATE_TEXT,
    )
    cell = cells_of(child, MONDAY, MONDAY)[(MONDAY, "REPAS")]
    assert (cell.state, cell.reason_code, cell.reason) == ("refused", "late", LATE_TEXT)
    req = sent_requests.request_detail(number)
    assert (req.state, req.summary) == ("done", "refused")


def test_late_cancellation_line_leaves_the_day_booked(town_a):
    h = household(town_a)
    _book(h)
    decisions.sweep()
    _book(h, action="cancel", now=dt.datetime(2026, 12, 1, 8, 0, tzinfo=PARIS))
    assert Booking.get().state == "cancel_requested"
    cancel = RequestLine.get(RequestLine.action == "cancel")
    RequestLine.update(sent_at=to_utc_naive(dt.datetime(2026, 12, 2, 10, 0, tzinfo=PARIS))).where(
        RequestLine.id == cancel.id
    ).execute()

    decisions.sweep()

    cancel = RequestLine.get_by_id(cancel.id)
    assert (cancel.state, cancel.reason_code, cancel.reason) == ("refused", "late", CANCEL_TEXT)
    booking = Booking.get()
    assert (booking.state, booking.refusal_reason) == ("booked", CANCEL_TEXT)
    cell = cells_of(h.children[0], MONDAY, MONDAY)[(MONDAY, "REPAS")]
    assert cell.state == "booked"  # the meal stays booked, and billed


def test_line_on_time_is_accepted_whenever_the_validator_runs(town_a):
    """The deadline is judged at the moment the line was sent, not when it is processed."""
    h = household(town_a)
    _book(h, now=dt.datetime(2026, 12, 2, 8, 59, tzinfo=PARIS))
    decisions.sweep(now=dt.datetime(2026, 12, 2, 9, 10, tzinfo=PARIS))
    assert (RequestLine.get().state, Booking.get().state) == ("accepted", "booked")
