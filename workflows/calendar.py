"""The calendar rules: public holidays, school holidays by zone, open days and deadlines.

Pure functions over small immutable values; the holiday data comes from maintained
libraries (`holidays` for French public holidays, `vacances-scolaires-france` for school
holidays by zone), cached by year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from babel.dates import format_date
from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


@lru_cache(maxsize=64)
def _public_holiday_names(year: int) -> dict[dt.date, str]:
    return dict(holidays_lib.France(years=year, language="fr"))


def public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(_public_holiday_names(year))


def public_holiday_name(day: dt.date) -> str | None:
    return _public_holiday_names(day.year).get(day)


@lru_cache(maxsize=1)
def _school_holiday_dates() -> SchoolHolidayDates:
    return SchoolHolidayDates()


@lru_cache(maxsize=256)
def school_holidays(year: int, zone: str) -> frozenset[dt.date]:
    try:
        days = _school_holiday_dates().holidays_for_year_and_zone(year, zone)
    except UnsupportedYearException:
        return frozenset()
    return frozenset(days.keys())


def is_public_holiday(day: dt.date) -> bool:
    return day in _public_holiday_names(day.year)


def is_school_holiday(day: dt.date, zone: str) -> bool:
    return day in school_holidays(day.year, zone)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, public holidays skipped (school holidays are working days)."""
    return day.isoweekday() <= 5 and not is_public_holiday(day)


def closed_reason(
    weekdays: str, holiday_unit: bool, zone: str, day: dt.date
) -> tuple[str, str] | None:
    """Why a unit of this calendar does not run on `day`, as (code, detail), or None when it
    runs (the town's closures and the child's enrolment aside): no_service (not one of its
    weekdays), public_holiday (and its name), school_holidays (a term-time unit),
    out_of_holidays (a holiday unit). The one reading of "is this an open day"."""
    if str(day.isoweekday()) not in weekdays:
        return ("no_service", "")
    name = public_holiday_name(day)
    if name is not None:
        return ("public_holiday", name)
    in_holidays = is_school_holiday(day, zone)
    if in_holidays and not holiday_unit:
        return ("school_holidays", "")
    if holiday_unit and not in_holidays:
        return ("out_of_holidays", "")
    return None


def unit_runs(weekdays: str, holiday_unit: bool, zone: str, day: dt.date) -> bool:
    """Whether a unit runs on `day` by the town's calendar (closures and enrolment aside)."""
    return closed_reason(weekdays, holiday_unit, zone, day) is None


@dataclass(frozen=True)
class Deadline:
    """The last moment to book or cancel: `count` days of `unit` before the day, at `cutoff`
    (local time, Europe/Paris)."""

    count: int
    unit: str = "working_days"  # or calendar_days
    cutoff: dt.time = dt.time(9, 0)

    def for_day(self, day: dt.date) -> dt.datetime:
        """The deadline for `day`, as an aware datetime in Europe/Paris."""
        return _deadline_for(self, day)

    def is_met(self, day: dt.date, at: dt.datetime) -> bool:
        """Whether a change for `day` made at `at` (aware) is on time."""
        return at < _deadline_utc(self, day)


@lru_cache(maxsize=65536)
def _deadline_for(deadline: Deadline, day: dt.date) -> dt.datetime:
    """Deadline.for_day, cached: a validator batch asks for the same few days again and again."""
    if deadline.unit == "working_days":
        d, left = day, deadline.count
        while left > 0:
            d -= dt.timedelta(days=1)
            if is_working_day(d):
                left -= 1
    elif deadline.unit == "calendar_days":
        d = day - dt.timedelta(days=deadline.count)
    else:
        raise ValueError(f"unknown deadline unit {deadline.unit!r}")
    return dt.datetime.combine(d, deadline.cutoff, tzinfo=PARIS)


@lru_cache(maxsize=65536)
def _deadline_utc(deadline: Deadline, day: dt.date) -> dt.datetime:
    """The deadline in UTC, like the moments it is compared with (the lines' sent_at): two
    aware datetimes of one time zone compare without working out an offset."""
    return _deadline_for(deadline, day).astimezone(UTC)


def to_utc_naive(moment: dt.datetime) -> dt.datetime:
    """Aware → naive UTC, the form stored in the database."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_utc_naive(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=UTC)


def now() -> dt.datetime:
    return dt.datetime.now(PARIS)


@lru_cache(maxsize=8192)
def format_date_fr(day: dt.date, pattern: str = "EEEE d MMMM y") -> str:
    """A date in French words ('mercredi 18 novembre 2026', 'mardi 1er décembre 2026'),
    cached: a month's planning writes the same few dozen dates a hundred times."""
    if day.day == 1:
        pattern = _DAY_NUMBER.sub("'1er'", pattern)  # the first of a month is "1er"
    return format_date(day, pattern, locale="fr_FR")


_DAY_NUMBER = re.compile(r"(?<![d'])d(?![d'])")


def format_deadline_fr(moment: dt.datetime) -> str:
    """'mercredi 18 novembre à 9h00', the way parents read a deadline."""
    local = moment.astimezone(PARIS)
    day = format_date_fr(local.date(), "EEEE d MMMM")
    return f"{day} à {local.hour}h{local.minute:02d}"


def format_deadline_en(moment: dt.datetime) -> str:
    return moment.astimezone(PARIS).isoformat(timespec="minutes")


def days_between(start: dt.date, end: dt.date):
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)
