"""Deadlines and open days, as the spec states them (spec/DOMAIN.md "The calendar",
"Deadlines"), and the refusal of late changes with the date in the parent's words."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Booking, Closure, Enrolment, RequestLine, Service, Unit
from workflows import bookings, decisions
from workflows.calendar import PARIS, Deadline, format_deadline_fr, to_utc_naive
from workflows.planning import planning

from .. import factories as f

TODAY = dt.date(2026, 11, 23)  # the school year 2026-2027, whatever the clock says
BEFORE_EVERYTHING = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
BILLERE = Deadline(3, "working_days", dt.time(9, 0))


def at9(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 9, 0, tzinfo=PARIS)


# -- the deadline table, day by day ------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "deadline"),
    [
        # an ordinary week (7-11 December 2026)
        (dt.date(2026, 12, 7), at9(2026, 12, 2)),  # Monday → previous Wednesday
        (dt.date(2026, 12, 8), at9(2026, 12, 3)),  # Tuesday → previous Thursday
        (dt.date(2026, 12, 9), at9(2026, 12, 4)),  # Wednesday → previous Friday
        (dt.date(2026, 12, 10), at9(2026, 12, 7)),  # Thursday → previous Monday
        (dt.date(2026, 12, 11), at9(2026, 12, 8)),  # Friday → previous Tuesday
        # 11 November 2026 (Wednesday) is a public holiday: skipped
        (dt.date(2026, 11, 16), at9(2026, 11, 10)),  # Monday → Tuesday 10
        (dt.date(2026, 11, 13), at9(2026, 11, 9)),  # Friday → Monday 9 (Wed 11 skipped)
        (dt.date(2026, 11, 17), at9(2026, 11, 12)),  # Tuesday → Thursday 12
        # Ascension, Thursday 6 May 2027 (1 and 8 May 2027 fall on Saturdays)
        (dt.date(2027, 5, 10), at9(2027, 5, 4)),  # Monday → Tuesday 4
        (dt.date(2027, 5, 11), at9(2027, 5, 5)),  # Tuesday → Wednesday 5
        (dt.date(2027, 5, 7), at9(2027, 5, 3)),  # Friday → Monday 3
        (dt.date(2027, 5, 12), at9(2027, 5, 7)),  # Wednesday → Friday 7 (a school "bridge"
        # day, still a working day)
        # Whit Monday, 17 May 2027
        (dt.date(2027, 5, 20), at9(2027, 5, 14)),  # Thursday → Friday 14
        # 1 May 2026 is a Friday
        (dt.date(2026, 5, 6), at9(2026, 4, 30)),  # Wednesday → Thursday 30 April
    ],
)
def test_three_working_days_before_nine(day, deadline):
    assert BILLERE.for_day(day) == deadline
    assert BILLERE.for_day(day).tzinfo is PARIS


def test_a_change_at_the_cutoff_minute_is_late():
    monday = dt.date(2026, 12, 7)
    assert BILLERE.is_met(monday, dt.datetime(2026, 12, 2, 8, 59, 59, tzinfo=PARIS))
    assert not BILLERE.is_met(monday, dt.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS))
    # the same moment written in UTC is the same moment
    assert not BILLERE.is_met(monday, dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC))
    assert BILLERE.is_met(monday, dt.datetime(2026, 12, 2, 7, 59, tzinfo=dt.UTC))


@pytest.mark.parametrize(
    ("day", "deadline"),
    [
        (dt.date(2026, 12, 7), at9(2026, 12, 3)),  # Monday → previous Thursday
        (dt.date(2026, 12, 8), at9(2026, 12, 4)),  # Tuesday → previous Friday
        (dt.date(2026, 12, 10), at9(2026, 12, 8)),  # Thursday → Tuesday
        (dt.date(2026, 11, 13), at9(2026, 11, 10)),  # Friday 13 → Tuesday 10 (11 Nov skipped)
    ],
)
def test_levignac_two_working_days(day, deadline):
    assert Deadline(2, "working_days").for_day(day) == deadline


@pytest.mark.parametrize(
    ("day", "deadline"),
    [
        (dt.date(2026, 12, 7), at9(2026, 11, 30)),
        (dt.date(2026, 12, 9), at9(2026, 12, 2)),
        # calendar days do not skip holidays: 18 Nov - 7 = 11 Nov (a holiday), still the day
        (dt.date(2026, 11, 18), at9(2026, 11, 11)),
    ],
)
def test_levignac_seven_calendar_days(day, deadline):
    assert Deadline(7, "calendar_days").for_day(day) == deadline


def test_deadline_keeps_paris_time_across_daylight_saving():
    # summer time starts on Sunday 28 March 2027; Easter Monday (29 March) is skipped
    before = BILLERE.for_day(dt.date(2027, 3, 30))
    assert before == at9(2027, 3, 24)
    assert before.astimezone(dt.UTC).hour == 8  # winter time: UTC+1
    after = BILLERE.for_day(dt.date(2027, 4, 2))
    assert after == at9(2027, 3, 30)
    assert after.astimezone(dt.UTC).hour == 7  # summer time: UTC+2


def test_unknown_deadline_unit_is_an_error():
    with pytest.raises(ValueError):
        Deadline(3, "fortnights").for_day(dt.date(2026, 12, 7))


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (BILLERE.for_day(dt.date(2026, 11, 23)), "mercredi 18 novembre à 9h00"),
        (BILLERE.for_day(dt.date(2026, 11, 16)), "mardi 10 novembre à 9h00"),
        (BILLERE.for_day(dt.date(2027, 5, 10)), "mardi 4 mai à 9h00"),
        (dt.datetime(2027, 1, 1, 12, 5, tzinfo=PARIS), "vendredi 1 janvier à 12h05"),
        # a UTC moment is shown in Paris time
        (dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC), "mercredi 2 décembre à 9h00"),
    ],
)
def test_deadline_in_french(moment, text):
    assert format_deadline_fr(moment) == text


# -- open days --------------------------------------------------------------------------
def _cells(child, start, end, unit_code=None, now=BEFORE_EVERYTHING):
    return {
        (c.date, c.unit.code): c
        for c in planning(child.id, start, end, now=now)
        if unit_code is None or c.unit.code == unit_code
    }


def _state(child, day, code="REPAS"):
    return _cells(child, day, day)[(day, code)].state


@pytest.fixture
def town_a(app):
    return f.town(zone="A", today=TODAY)


def _household(town, **kw):
    h = f.household(town, **kw)
    h._town = town
    return h


def test_school_days_are_open_and_weekends_closed(town_a):
    child = f.household(town_a).children[0]
    cells = _cells(child, dt.date(2026, 12, 7), dt.date(2026, 12, 13))
    repas = {d: cells[(d, "REPAS")].state for d, code in cells if code == "REPAS"}
    assert repas == {
        dt.date(2026, 12, 7): "free",
        dt.date(2026, 12, 8): "free",
        dt.date(2026, 12, 9): "closed",  # REPAS runs Monday, Tuesday, Thursday, Friday
        dt.date(2026, 12, 10): "free",
        dt.date(2026, 12, 11): "free",
        dt.date(2026, 12, 12): "closed",
        dt.date(2026, 12, 13): "closed",
    }
    monday = cells[(dt.date(2026, 12, 7), "REPAS")]
    assert monday.deadline == at9(2026, 12, 2)
    assert monday.deadline_fr == "mercredi 2 décembre à 9h00"
    assert monday.changeable
    saturday = cells[(dt.date(2026, 12, 12), "REPAS")]
    assert (saturday.deadline, saturday.changeable) == (None, False)


def test_wednesday_units_open_on_wednesday_only(town_a):
    child = f.household(town_a, wednesday=True).children[0]
    cells = _cells(child, dt.date(2026, 12, 7), dt.date(2026, 12, 11))
    assert cells[(dt.date(2026, 12, 9), "MERCREDI REPAS")].state == "free"
    assert cells[(dt.date(2026, 12, 10), "MERCREDI REPAS")].state == "closed"
    # seven calendar days before, at noon (the demo's Wednesday settings)
    assert cells[(dt.date(2026, 12, 9), "MERCREDI REPAS")].deadline == dt.datetime(
        2026, 12, 2, 12, 0, tzinfo=PARIS
    )


def test_public_holiday_is_closed(town_a):
    h = f.household(town_a)
    child = h.children[0]
    easter_monday = dt.date(2027, 3, 29)  # a school day in zone A, but a public holiday
    assert _state(child, easter_monday) == "closed"
    assert _state(child, dt.date(2027, 3, 30)) == "free"
    with pytest.raises(bookings.RequestRefused) as refused:
        bookings.submit(
            f.parent_actor(h),
            [bookings.RequestSpec(child.id, [(f.unit(town_a).id, easter_monday, "book")])],
            now=BEFORE_EVERYTHING,
        )
    (problem,) = refused.value.problems
    assert problem.code == "closed"
    assert problem.message_fr == "Ce jour n'est pas ouvert pour cette prestation."


def test_school_holidays_follow_the_towns_zone(app):
    child_a = f.household(f.town(zone="A", today=TODAY)).children[0]
    child_c = f.household(f.town(zone="C", today=TODAY)).children[0]
    # winter 2027: zone C is off 6-21 February, zone A 13 February - 28 February
    assert (_state(child_a, dt.date(2027, 2, 8)), _state(child_c, dt.date(2027, 2, 8))) == (
        "free",
        "closed",
    )
    assert (_state(child_a, dt.date(2027, 2, 22)), _state(child_c, dt.date(2027, 2, 22))) == (
        "closed",
        "free",
    )
    # Christmas is the same for every zone
    assert (
        _state(child_a, dt.date(2026, 12, 21))
        == _state(child_c, dt.date(2026, 12, 21))
        == ("closed")
    )


def test_holiday_unit_runs_only_in_school_holidays(town_a):
    h = f.household(town_a)
    child = h.children[0]
    leisure = town_a._demo["leisure"]
    alsh = Service.create(town=town_a, name="ALSH vacances")
    Unit.create(
        service=alsh,
        site=leisure,
        code="JOURNEE ALSH",
        label="Journée ALSH",
        weekdays="12345",
        holiday_unit=True,
    )
    Enrolment.create(
        child=child,
        service=alsh,
        site=leisure,
        start=town_a._demo["start"],
        end=town_a._demo["end"],
    )

    def states(day):
        cells = _cells(child, day, day)
        return cells[(day, "REPAS")].state, cells[(day, "JOURNEE ALSH")].state

    assert states(dt.date(2026, 12, 14)) == ("free", "closed")  # a school day
    assert states(dt.date(2026, 12, 21)) == ("closed", "free")  # Christmas holidays
    assert states(dt.date(2026, 12, 25)) == ("closed", "closed")  # a public holiday
    assert states(dt.date(2027, 5, 6)) == ("closed", "closed")  # Ascension
    assert states(dt.date(2027, 5, 7)) == ("closed", "free")  # the school bridge day


def test_closure_for_one_site_and_for_all_sites(town_a):
    at_school_0 = f.household(town_a, school=0).children[0]
    at_school_1 = f.household(town_a, school=1).children[0]
    strike, trip = dt.date(2026, 12, 8), dt.date(2026, 12, 10)
    Closure.create(
        town=town_a, site=town_a._demo["schools"][0], start=strike, end=strike, reason="Grève"
    )
    Closure.create(town=town_a, site=None, start=trip, end=dt.date(2026, 12, 11), reason="Pont")
    assert (_state(at_school_0, strike), _state(at_school_1, strike)) == ("closed", "free")
    for day in (trip, dt.date(2026, 12, 11)):
        assert (_state(at_school_0, day), _state(at_school_1, day)) == ("closed", "closed")
    assert _state(at_school_0, dt.date(2026, 12, 14)) == "free"
    # a closure in another town changes nothing here
    other = f.town(today=TODAY)
    Closure.create(town=other, site=None, start=dt.date(2026, 12, 14), end=dt.date(2026, 12, 14))
    assert _state(at_school_0, dt.date(2026, 12, 14)) == "free"


def test_not_enrolled_is_closed_and_refused(town_a):
    h = f.household(town_a)
    child = h.children[0]
    Enrolment.update(end=dt.date(2026, 12, 31)).where(Enrolment.child == child).execute()
    cells = _cells(child, dt.date(2026, 12, 14), dt.date(2027, 1, 4))
    cell = cells[(dt.date(2027, 1, 4), "REPAS")]
    assert (cell.state, cell.reason_code) == ("closed", "not_enrolled")
    assert _state(child, dt.date(2026, 12, 14)) == "free"
    with pytest.raises(bookings.RequestRefused) as refused:
        bookings.submit(
            f.parent_actor(h),
            [bookings.RequestSpec(child.id, [(f.unit(town_a).id, dt.date(2027, 1, 4), "book")])],
            now=BEFORE_EVERYTHING,
        )
    assert [p.code for p in refused.value.problems] == ["not_enrolled"]
    # a unit of the other school is not the child's either
    with pytest.raises(bookings.RequestRefused) as refused:
        bookings.submit(
            f.parent_actor(h),
            [
                bookings.RequestSpec(
                    child.id, [(f.unit(town_a, school=1).id, dt.date(2026, 12, 14), "book")]
                )
            ],
            now=BEFORE_EVERYTHING,
        )
    assert [p.code for p in refused.value.problems] == ["not_enrolled"]
    assert RequestLine.select().count() == 0


# -- late changes ------------------------------------------------------------------------
MONDAY = dt.date(2026, 12, 7)  # deadline: Wednesday 2 December, 09:00
LATE_TEXT = "Délai dépassé : modifiable jusqu'au mercredi 2 décembre à 9h00."


def _book(h, day=MONDAY, now=BEFORE_EVERYTHING, action="book"):
    child = h.children[0]
    return bookings.submit(
        f.parent_actor(h),
        [bookings.RequestSpec(child.id, [(f.unit(h._town).id, day, action)])],
        now=now,
    )


def test_late_request_is_refused_before_it_is_sent(town_a):
    h = _household(town_a)
    # one minute before the deadline it goes through...
    _book(_household(town_a), now=dt.datetime(2026, 12, 2, 8, 59, tzinfo=PARIS))
    # ...at the deadline it does not, and the message names the deadline
    with pytest.raises(bookings.RequestRefused) as refused:
        _book(h, now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS))
    (problem,) = refused.value.problems
    assert (problem.code, problem.date) == ("late", MONDAY)
    assert problem.message_fr == LATE_TEXT
    assert "Délai dépassé : modifiable jusqu'au mercredi 2 décembre à 9h00" in problem.message_fr
    assert problem.as_dict()["message"] == (
        "Deadline passed: could be changed until 2026-12-02T09:00+01:00."
    )
    # nothing reached the database for this household
    assert not Booking.select().where(Booking.child == h.children[0]).exists()
    cell = _cells(h.children[0], MONDAY, MONDAY, now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS))
    assert (cell[(MONDAY, "REPAS")].state, cell[(MONDAY, "REPAS")].changeable) == ("free", False)


def test_late_cancellation_is_refused_with_its_deadline(town_a):
    h = _household(town_a)
    _book(h)
    decisions.sweep()
    with pytest.raises(bookings.RequestRefused) as refused:
        _book(h, action="cancel", now=dt.datetime(2026, 12, 3, 18, 0, tzinfo=PARIS))
    assert [(p.code, p.message_fr) for p in refused.value.problems] == [("late", LATE_TEXT)]
    assert Booking.get().state == "booked"


def test_line_that_reached_the_database_late_is_refused_by_the_validator(town_a):
    h = _household(town_a)
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
    cell = _cells(child, MONDAY, MONDAY)[(MONDAY, "REPAS")]
    assert (cell.state, cell.reason_code, cell.reason) == ("refused", "late", LATE_TEXT)
    req = bookings.request_detail(number)
    assert (req.state, req.summary) == ("done", "refused")


def test_late_cancellation_line_leaves_the_day_booked(town_a):
    h = _household(town_a)
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
    assert (cancel.state, cancel.reason_code, cancel.reason) == ("refused", "late", LATE_TEXT)
    booking = Booking.get()
    assert (booking.state, booking.refusal_reason) == ("booked", LATE_TEXT)
    cell = _cells(h.children[0], MONDAY, MONDAY)[(MONDAY, "REPAS")]
    assert cell.state == "booked"  # the meal stays booked, and billed


def test_line_on_time_is_accepted_whenever_the_validator_runs(town_a):
    """The deadline is judged at the moment the line was sent, not when it is processed."""
    h = _household(town_a)
    _book(h, now=dt.datetime(2026, 12, 2, 8, 59, tzinfo=PARIS))
    decisions.sweep(now=dt.datetime(2026, 12, 2, 9, 10, tzinfo=PARIS))
    assert (RequestLine.get().state, Booking.get().state) == ("accepted", "booked")
