"""The custody patterns of a shared child, over a whole school year (2026-2027)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from workflows.calendar import days_between
from workflows.custody import Custody, changed_days, household_on, may_book, pattern_on

START, END = dt.date(2026, 9, 1), dt.date(2027, 7, 4)
A, B = 1, 2
MONDAY = dt.date(2026, 8, 31)


def test_alternate_weeks_from_a_monday_over_the_year():
    p = Custody("weeks", A, B, start=MONDAY)
    homes = {d: household_on(p, d) for d in days_between(START, END)}
    assert homes[dt.date(2026, 9, 1)] == A and homes[dt.date(2026, 9, 6)] == A  # Tue..Sun
    assert homes[dt.date(2026, 9, 7)] == B and homes[dt.date(2026, 9, 13)] == B
    assert homes[dt.date(2026, 9, 14)] == A
    # every week is one home's, and the homes take turns
    for monday in days_between(MONDAY, END):
        if monday.weekday() == 0 and monday >= START:
            week = {homes.get(monday + dt.timedelta(days=i)) for i in range(7)} - {None}
            assert len(week) == 1
    counts = Counter(homes.values())
    assert abs(counts[A] - counts[B]) <= 7


def test_alternate_weeks_with_a_wednesday_handover():
    p = Custody("handover", A, B, start=MONDAY, handover=3)
    assert household_on(p, dt.date(2026, 9, 1)) == B  # Tuesday: still the other home
    assert household_on(p, dt.date(2026, 9, 2)) == A  # Wednesday: the handover
    assert household_on(p, dt.date(2026, 9, 8)) == A  # next Tuesday
    assert household_on(p, dt.date(2026, 9, 9)) == B
    # over the year: each stretch runs Wednesday to Tuesday, the homes taking turns
    previous = None
    for wednesday in days_between(dt.date(2026, 9, 2), END - dt.timedelta(days=6)):
        if wednesday.isoweekday() == 3:
            stretch = {household_on(p, wednesday + dt.timedelta(days=i)) for i in range(7)}
            assert len(stretch) == 1 and stretch != previous
            previous = stretch


def test_periods_and_both():
    p = Custody(
        "periods",
        A,
        B,
        periods=(
            (dt.date(2026, 10, 17), dt.date(2026, 11, 1), B),
            (dt.date(2027, 2, 1), dt.date(2027, 2, 28), B),
        ),
    )
    assert household_on(p, dt.date(2026, 10, 16)) == A
    assert household_on(p, dt.date(2026, 10, 20)) == B
    assert household_on(p, dt.date(2027, 2, 28)) == B
    assert household_on(p, dt.date(2027, 3, 1)) == A
    both = Custody("both", A, B)
    assert all(household_on(both, d) is None for d in days_between(START, END))
    assert may_book([both], A, START) and may_book([both], B, START)


def test_a_change_of_pattern_takes_effect_from_a_date():
    old = Custody("weeks", A, B, start=MONDAY)
    new = Custody("weeks", B, A, start=MONDAY, effective_from=dt.date(2027, 1, 4))
    assert pattern_on([old, new], dt.date(2027, 1, 3)) == old
    assert pattern_on([old, new], dt.date(2027, 1, 4)) == new
    assert may_book([old, new], A, dt.date(2026, 9, 1))
    assert not may_book([old, new], B, dt.date(2026, 9, 1))
    day = dt.date(2027, 1, 4)
    assert may_book([old, new], household_on(new, day), day)
    moved = changed_days(old, new, dt.date(2027, 1, 4), dt.date(2027, 1, 17))
    assert len(moved) == 14  # every day changes hands when the weeks swap
    assert moved[0] == (dt.date(2027, 1, 4), household_on(old, day), household_on(new, day))
    assert may_book([], A, day)  # a child without a pattern: its household's


def test_patterns_are_checked():
    with pytest.raises(ValueError):
        Custody("weeks", A, B, start=dt.date(2026, 9, 1))  # a Tuesday
    with pytest.raises(ValueError):
        Custody("periods", A, B, periods=((dt.date(2026, 9, 2), dt.date(2026, 9, 1), A),))
    with pytest.raises(ValueError):
        Custody("sometimes", A, B)
