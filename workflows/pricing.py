"""Pricing rules as small pure functions. Money is integer cents; the one rounding rule of
the portal (half up, to the cent) is `round_cents`, and every share or proportion goes
through it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MEAL_CODES = frozenset({"REPAS", "PAI", "MERCREDI REPAS"})


def round_cents(value: Decimal | int) -> int:
    """Round an amount of cents (maybe fractional) to a whole cent, half up."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share(total_cents: int, part: int, whole: int) -> int:
    """`total_cents * part / whole`, rounded once."""
    if whole == 0:
        return 0
    return round_cents(Decimal(total_cents) * Decimal(part) / Decimal(whole))


def cents_to_euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def euros_to_cents(value: str | Decimal) -> int:
    """Parse '12,50' or '12.50' (euros) into cents; refuses more than two decimals."""
    text = str(value).strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    amount = Decimal(text)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("more than two decimals")
    return int(amount * 100)


def format_euros(cents: int) -> str:
    """'1 234,50 €' (French style, narrow no-break space for thousands)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    text = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{text},{rest:02d} €"


def is_meal(unit_code: str) -> bool:
    """Meals are excluded from the childcare tax certificate."""
    return unit_code.upper() in MEAL_CODES


def under_six(birth_date: dt.date | None, year: int) -> bool:
    """Under six on 1 January of `year` (childcare expenses of `year` count for the credit)."""
    if birth_date is None:
        return False
    return birth_date > dt.date(year - 6, 1, 1)


@dataclass(frozen=True)
class PriceRow:
    unit_id: int
    qf_min: int
    qf_max: int | None
    amount_cents: int
    valid_from: dt.date
    valid_to: dt.date | None


class PriceBook:
    """The prices of a town, indexed by unit, to price bookings without a query each."""

    def __init__(self, rows: Iterable[PriceRow]) -> None:
        self._by_unit: dict[int, list[PriceRow]] = {}
        for row in rows:
            self._by_unit.setdefault(row.unit_id, []).append(row)
        for rows_ in self._by_unit.values():
            rows_.sort(key=lambda r: (r.valid_from, r.qf_min), reverse=True)

    def price(self, unit_id: int, qf: int | None, day: dt.date) -> int | None:
        """The price in cents of `unit_id` on `day` for a household of quotient `qf`, or None
        when no price applies. Without a known QF the highest tier applies."""
        candidates = [
            r
            for r in self._by_unit.get(unit_id, ())
            if r.valid_from <= day and (r.valid_to is None or day <= r.valid_to)
        ]
        if not candidates:
            return None
        if qf is None:
            return max(candidates, key=lambda r: (r.qf_min, r.valid_from)).amount_cents
        for r in candidates:  # latest period first
            if r.qf_min <= qf and (r.qf_max is None or qf <= r.qf_max):
                return r.amount_cents
        return None


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def previous_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def due_date(issue_date: dt.date, days: int = 30) -> dt.date:
    return issue_date + dt.timedelta(days=days)
