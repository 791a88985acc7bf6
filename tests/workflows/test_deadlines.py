"""Deadlines as the spec states them (spec/DOMAIN.md "Deadlines"): `Deadline` and its French
words are pure functions of a day and a moment, tested here without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows.calendar import PARIS, Deadline, format_deadline_fr

from .school_year import BILLERE, at9


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
        (dt.datetime(2027, 1, 1, 12, 5, tzinfo=PARIS), "vendredi 1er janvier à 12h05"),
        # a UTC moment is shown in Paris time
        (dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC), "mercredi 2 décembre à 9h00"),
    ],
)
def test_deadline_in_french(moment, text):
    assert format_deadline_fr(moment) == text
