"""Open days, as the spec states them (spec/DOMAIN.md "The calendar"): school days, the
units' weekdays, public and school holidays by zone, closures, enrolments."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Closure, Enrolment, RequestLine, Service, Unit
from workflows import bookings
from workflows.calendar import PARIS

from .. import factories as f
from .school_year import BEFORE_EVERYTHING, TODAY, at9, cells_of, state_of


def test_school_days_are_open_and_weekends_closed(town_a):
    child = f.household(town_a).children[0]
    cells = cells_of(child, dt.date(2026, 12, 7), dt.date(2026, 12, 13))
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
    cells = cells_of(child, dt.date(2026, 12, 7), dt.date(2026, 12, 11))
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
    assert state_of(child, easter_monday) == "closed"
    assert state_of(child, dt.date(2027, 3, 30)) == "free"
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
    assert (state_of(child_a, dt.date(2027, 2, 8)), state_of(child_c, dt.date(2027, 2, 8))) == (
        "free",
        "closed",
    )
    assert (state_of(child_a, dt.date(2027, 2, 22)), state_of(child_c, dt.date(2027, 2, 22))) == (
        "closed",
        "free",
    )
    # Christmas is the same for every zone
    assert (
        state_of(child_a, dt.date(2026, 12, 21))
        == state_of(child_c, dt.date(2026, 12, 21))
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
        cells = cells_of(child, day, day)
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
    assert (state_of(at_school_0, strike), state_of(at_school_1, strike)) == ("closed", "free")
    for day in (trip, dt.date(2026, 12, 11)):
        assert (state_of(at_school_0, day), state_of(at_school_1, day)) == ("closed", "closed")
    assert state_of(at_school_0, dt.date(2026, 12, 14)) == "free"
    # a closure in another town changes nothing here
    other = f.town(today=TODAY)
    Closure.create(town=other, site=None, start=dt.date(2026, 12, 14), end=dt.date(2026, 12, 14))
    assert state_of(at_school_0, dt.date(2026, 12, 14)) == "free"


def test_not_enrolled_is_closed_and_refused(town_a):
    h = f.household(town_a)
    child = h.children[0]
    Enrolment.update(end=dt.date(2026, 12, 31)).where(Enrolment.child == child).execute()
    cells = cells_of(child, dt.date(2026, 12, 14), dt.date(2027, 1, 4))
    cell = cells[(dt.date(2027, 1, 4), "REPAS")]
    assert (cell.state, cell.reason_code) == ("closed", "not_enrolled")
    assert state_of(child, dt.date(2026, 12, 14)) == "free"
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
