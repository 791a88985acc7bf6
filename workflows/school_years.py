"""The town's school years: which school year a day is in, for a town (`year_of`, the one
home of that question), the years a parent may enrol for, and the checks a new year must
pass. A town without school years of its own gets the computed year (1 September to
4 July), as before school years were data."""

from __future__ import annotations

import datetime as dt

from models import SchoolYear

MAX_DAYS = 428  # about 14 months: longer than that is a typing mistake, not a school year

Span = tuple[dt.date, dt.date]


class SchoolYearError(ValueError):
    """A school year refused; `field` is the form field the French message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def computed(day: dt.date | None = None) -> Span:
    """1 September to 4 July of the school year `day` falls in (August: the coming one)."""
    day = day or dt.date.today()
    first = day.year if day.month >= 8 else day.year - 1
    return dt.date(first, 9, 1), dt.date(first + 1, 7, 4)


def label(span: Span) -> str:
    """'2026-2027'."""
    return f"{span[0].year}-{span[1].year}"


def spans(town_id: int | None) -> list[Span]:
    """The town's own school years, in order (empty: the town has none)."""
    if town_id is None:
        return []
    q = SchoolYear.select(SchoolYear.start, SchoolYear.end).where(SchoolYear.town == town_id)
    return sorted(q.order_by(SchoolYear.start).tuples())


def year_in(years: list[Span], day: dt.date) -> Span | None:
    """The school year of `years` (the town's, see `spans`) that `day` is in; with no years,
    the computed one when `day` is in it. None: `day` is outside every school year."""
    if not years:
        start, end = computed(day)
        return (start, end) if start <= day <= end else None
    for start, end in years:
        if start <= day <= end:
            return (start, end)
    return None


def year_of(town_id: int | None, day: dt.date) -> Span | None:
    """Which school year `day` is in, for this town (None: outside every school year)."""
    return year_in(spans(town_id), day)


def year_around(town_id: int | None, day: dt.date) -> Span:
    """The school year `day` is in, or else the next one (summer: the coming year), or the
    computed one when the town has none after `day`."""
    years = spans(town_id)
    found = year_in(years, day)
    if found:
        return found
    later = [y for y in years if y[0] > day]
    return later[0] if later else computed(day)


def current_and_next(town_id: int | None = None, today: dt.date | None = None) -> list[Span]:
    """The current and the next school year (those not over yet, two at most): the years
    a parent may enrol for."""
    today = today or dt.date.today()
    years = [y for y in spans(town_id) if y[1] >= today][:2]
    if years:
        return years
    first = computed(today)[0].year
    return [(dt.date(y, 9, 1), dt.date(y + 1, 7, 4)) for y in (first, first + 1)]


def check(town_id: int, start: dt.date, end: dt.date, own_id: int | None = None) -> None:
    """Raise SchoolYearError (in French) unless start..end may be one of the town's years:
    in order, at most about 14 months, overlapping none of its other years."""
    if end <= start:
        raise SchoolYearError("end", "La fin de l'année scolaire doit suivre son début.")
    if (end - start).days > MAX_DAYS:
        raise SchoolYearError(
            "end", "Une année scolaire dure au plus 14 mois environ : vérifiez les dates."
        )
    q = SchoolYear.select().where(
        SchoolYear.town == town_id, SchoolYear.start <= end, SchoolYear.end >= start
    )
    if own_id is not None:
        q = q.where(SchoolYear.id != own_id)
    other = q.first()
    if other is not None:
        raise SchoolYearError(
            "start",
            f"Ces dates chevauchent l'année scolaire {other.label} "
            f"(du {other.start:%d/%m/%Y} au {other.end:%d/%m/%Y}).",
        )


def create(town_id: int, start: dt.date, end: dt.date) -> SchoolYear:
    check(town_id, start, end)
    return SchoolYear.create(town=town_id, start=start, end=end)
