"""The kitchen's counts: how many meals to cook per site, day, unit (REPAS, PAI…) and meal
option, and the children expected. Pure reading, one aggregate query per question.

A meal is expected where the booking holds (booked, or its cancellation asked and not yet
confirmed): exactly the bookings the workflow accepted. A day's figures are *provisional*
while a parent may still book or cancel it (units.until, the one reading of a deadline)
and *final* once both deadlines have passed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from peewee import SQL, fn

from models import Booking, Child, HotQuery, Service, Site, Unit, database

from .calendar import days_between, format_date_fr
from .decisions import now_or
from .pricing import MEAL_CODES
from .school_years import year_around, year_of
from .units import unit_infos, until

# The booking states in which a meal is expected (the booking holds).
EXPECTED = ("booked", "cancel_requested")
NO_OPTION = "standard"
MAX_DAYS = 62
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class KitchenError(ValueError):
    """Bad input: `code` for the API (English message), `message_fr` for people."""

    def __init__(self, code: str, message: str, message_fr: str) -> None:
        super().__init__(message)
        self.code, self.message, self.message_fr = code, message, message_fr


def _en(day: dt.date) -> str:
    """'1 September' (the API speaks English whatever the server's locale)."""
    return f"{day.day} {EN_MONTHS[day.month - 1]}"


def in_school_year(day: dt.date, town_id: int | None = None) -> bool:
    """Whether `day` is in one of the town's school years (school_years.year_of)."""
    return year_of(town_id, day) is not None


def check_period(start: dt.date, end: dt.date, town_id: int | None = None) -> None:
    """Raise KitchenError unless start..end is a period of one school year of the town (at
    most 62 days)."""
    if end < start:
        raise KitchenError(
            "bad_period", "from must precede to.", "La période finit avant de commencer."
        )
    if (end - start).days >= MAX_DAYS:
        raise KitchenError(
            "bad_period",
            f"At most {MAX_DAYS} days at once.",
            f"Au plus {MAX_DAYS} jours à la fois.",
        )
    year = year_of(town_id, start)
    if year is None or year != year_of(town_id, end):
        first, last = year_around(town_id, start)
        raise KitchenError(
            "outside_school_year",
            f"The dates are outside a school year ({_en(first)} to {_en(last)}).",
            "Ces dates sont en dehors de l'année scolaire "
            f"(du {format_date_fr(first, 'd MMMM y')} au {format_date_fr(last, 'd MMMM y')}).",
        )


def town_site(town_id: int, site_id: int | None) -> Site | None:
    """The site `site_id` of the town (None for all sites); KitchenError for another town's."""
    if site_id is None:
        return None
    site = Site.get_or_none(Site.id == site_id, Site.town == town_id)
    if site is None:
        raise KitchenError("unknown_site", "No such site in this town.", "Structure inconnue.")
    return site


def meal_units(town_id: int, site_id: int | None = None):
    q = (
        Unit.select(Unit.id)
        .join(Service)
        .where(Service.town == town_id, fn.UPPER(Unit.code).in_(sorted(MEAL_CODES)))
    )
    return q.where(Unit.site == site_id) if site_id is not None else q


@dataclass
class SiteDay:
    """One site's meals of one day."""

    date: dt.date
    site_id: int
    site: str
    final: bool = True
    units: dict[str, int] = field(default_factory=dict)  # unit code -> meals
    options: dict[str, int] = field(default_factory=dict)  # meal option -> meals
    pai: int = 0  # children with an allergy plan among them
    total: int = 0

    @property
    def status(self) -> str:
        return "final" if self.final else "provisional"

    @property
    def status_fr(self) -> str:
        return "définitif" if self.final else "provisoire"

    @property
    def date_fr(self) -> str:
        return format_date_fr(self.date, "EEEE d MMMM")

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "site": self.site_id,
            "site_name": self.site,
            "status": self.status,
            "total": self.total,
            "units": dict(self.units),
            "meal_options": dict(self.options),
            "pai_children": self.pai,
        }


def _finals(unit_ids, start: dt.date, end: dt.date, now: dt.datetime) -> dict:
    """(site id, day) -> whether every meal unit's book and cancel deadlines are past."""
    out: dict = {}
    for unit in unit_infos(unit_ids).values():
        for day in days_between(start, end):
            passed = until(unit, "book", day, now).passed and until(unit, "cancel", day, now).passed
            key = (unit.site_id, day)
            out[key] = out.get(key, True) and passed
    return out


def counts(
    town_id: int,
    start: dt.date,
    end: dt.date,
    site_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[SiteDay]:
    """Each site's meals of each day from start to end that has any, by unit and option,
    ordered by day and site."""
    check_period(start, end, town_id)
    now = now_or(now)
    units = meal_units(town_id, site_id)
    option = fn.COALESCE(fn.NULLIF(Child.meal_option, ""), NO_OPTION)
    rows = (
        Booking.select(
            Booking.date,
            Unit.site,
            Site.name,
            Unit.code,
            option,
            fn.COUNT(SQL("*")),  # not booking.id: the index alone answers (models.bookings)
            fn.SUM(Child.has_pai.cast("integer")),
        )
        .join(Unit, on=(Booking.unit == Unit.id))
        .join(Site, on=(Unit.site == Site.id))
        .switch(Booking)
        .join(Child, on=(Booking.child == Child.id))
        .where(
            Booking.unit.in_(units),
            Booking.date.between(start, end),
            Booking.state.in_(EXPECTED),
        )
        .group_by(Booking.date, Unit.site, Site.name, Unit.code, option)
        .tuples()
    )
    days: dict = {}
    for day, site, site_name, code, opt, n, pai in rows:
        d = days.get((day, site))
        if d is None:
            d = days[(day, site)] = SiteDay(day, site, site_name)
        d.units[code] = d.units.get(code, 0) + n
        d.options[opt] = d.options.get(opt, 0) + n
        d.pai += int(pai or 0)
        d.total += n
    if not days:
        town_site(town_id, site_id)  # none: was it another town's site?
    else:
        finals = _finals([u.id for u in units], start, end, now)
        for (day, site), d in days.items():
            d.final = finals.get((site, day), True)
    return [days[k] for k in sorted(days, key=lambda k: (k[0], days[k].site, k[1]))]


def day_status(town_id: int, day: dt.date, site_id: int | None = None, now=None) -> bool:
    """Whether the figures of `day` are final (every meal unit's deadlines past)."""
    finals = _finals([u.id for u in meal_units(town_id, site_id)], day, day, now_or(now))
    return all(finals.values())


class Expected(NamedTuple):
    site: str
    unit: str
    last_name: str
    first_name: str
    class_name: str
    meal_option: str
    has_pai: bool
    state: str


_MEAL_CODES_SQL = ", ".join(f"'{c}'" for c in sorted(MEAL_CODES))
_EXPECTED_SQL = ", ".join(f"'{s}'" for s in EXPECTED)
_EXPECTED_FIELDS = (
    Site.name,
    Unit.code,
    Child.last_name,
    Child.first_name,
    Child.class_name,
    Child.meal_option,
    Child.has_pai,
    Booking.state,
)


def _expected_query(with_site: bool) -> HotQuery:
    """The list of a day is as long as a school: a hand-written query (HotQuery), as peewee
    would spend more building its rows than the database reading them."""
    site = " AND u2.site_id = %s" if with_site else ""
    return HotQuery(
        _EXPECTED_FIELDS,
        "FROM booking JOIN unit ON unit.id = booking.unit_id JOIN site ON site.id = unit.site_id"
        " JOIN child ON child.id = booking.child_id"
        " WHERE booking.unit_id IN (SELECT u2.id FROM unit u2 JOIN service sv"
        " ON sv.id = u2.service_id WHERE sv.town_id = %s"
        f" AND UPPER(u2.code) IN ({_MEAL_CODES_SQL}){site})"
        f" AND booking.date = %s AND booking.state IN ({_EXPECTED_SQL})"
        " ORDER BY site.name, child.class_name, child.last_name, child.first_name",
    )


_EXPECTED_QUERIES = {True: _expected_query(True), False: _expected_query(False)}


def expected_children(town_id: int, day: dt.date, site_id: int | None = None) -> list[Expected]:
    """The children expected at meals on `day`, by site, class and name."""
    check_period(day, day, town_id)
    params = (town_id, site_id, day) if site_id is not None else (town_id, day)
    sql = _EXPECTED_QUERIES[site_id is not None].sql
    if database.obj.param != "%s":
        sql = sql.replace("%s", "?")
    # Text and booleans need no conversion (SQLite's 0/1 for has_pai reads as a boolean).
    out = list(map(Expected._make, database.execute_sql(sql, params).fetchall()))
    if not out:
        town_site(town_id, site_id)  # none: was it another town's site?
    return out


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def week(town_id: int, day: dt.date, site_id: int | None = None, now=None) -> dict:
    """The week of `day` per site: site name -> [SiteDay of each day that has meals]."""
    monday, sunday = week_of(day)
    if not in_school_year(monday, town_id):  # a week across the first day starts with it
        monday = max(monday, year_around(town_id, sunday)[0])
    if not in_school_year(sunday, town_id):
        sunday = min(sunday, year_around(town_id, monday)[1])
    out = defaultdict(list)
    for d in counts(town_id, monday, sunday, site_id, now):
        out[d.site].append(d)
    return dict(out)


def totals(days: list[SiteDay]) -> SiteDay | None:
    """The sum of several SiteDays (all sites of a day)."""
    if not days:
        return None
    t = SiteDay(days[0].date, 0, "Toutes les structures")
    for d in days:
        for k, v in d.units.items():
            t.units[k] = t.units.get(k, 0) + v
        for k, v in d.options.items():
            t.options[k] = t.options.get(k, 0) + v
        t.pai += d.pai
        t.total += d.total
        t.final = t.final and d.final
    return t


CSV_HEADER = ("date", "structure", "statut", "prestation", "régime", "repas")


def csv_rows(days: list[SiteDay]):
    """The counts as CSV rows: one row per day, site and unit, then per meal option."""
    yield CSV_HEADER
    for d in days:
        for code, n in sorted(d.units.items()):
            yield (d.date.isoformat(), d.site, d.status_fr, code, "", n)
        for opt, n in sorted(d.options.items()):
            yield (d.date.isoformat(), d.site, d.status_fr, "", opt, n)
