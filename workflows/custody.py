"""Shared custody (garde alternée): which household has a child on a day, as pure
functions over a pattern, so the planning, the guards, reminders, feeds and invoicing can
all ask the same question. Not yet wired to the models (see the README)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KINDS = ("weeks", "handover", "periods", "both")


@dataclass(frozen=True)
class Custody:
    """A custody pattern between households `first` and `second` (ids), effective from
    `effective_from` (None: always):

    - weeks: alternate weeks, `first` has the week starting on the Monday `start`;
    - handover: alternate weeks changing home on ISO weekday `handover` (1 = Monday), `first`
      from that weekday of `start`'s week;
    - periods: `first`, except the (first day, last day, household) `periods`;
    - both: either household, any day."""

    kind: str
    first: int
    second: int
    start: dt.date | None = None
    handover: int = 1
    periods: tuple[tuple[dt.date, dt.date, int], ...] = ()
    effective_from: dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown custody kind {self.kind!r}")
        if self.kind in ("weeks", "handover"):
            if self.start is None or self.start.isoweekday() != 1:
                raise ValueError("alternate weeks start on a Monday")
            if not 1 <= self.handover <= 7:
                raise ValueError("the handover is an ISO weekday, 1 to 7")
        for first, last, household in self.periods:
            if last < first or household not in (self.first, self.second):
                raise ValueError("a period runs forward and names one of the two households")


def household_on(pattern: Custody, day: dt.date) -> int | None:
    """The household that has the child on `day`; None when both may book ('both')."""
    if pattern.kind == "both":
        return None
    if pattern.kind == "periods":
        for first, last, household in pattern.periods:
            if first <= day <= last:
                return household
        return pattern.first
    anchor = pattern.start
    if pattern.kind == "handover":
        anchor += dt.timedelta(days=pattern.handover - 1)
    week = (day - anchor).days // 7
    return pattern.first if week % 2 == 0 else pattern.second


def pattern_on(patterns: list[Custody], day: dt.date) -> Custody | None:
    """Of a child's successive patterns, the one in force on `day` (the latest effective)."""
    current = None
    for p in sorted(patterns, key=lambda p: p.effective_from or dt.date.min):
        if p.effective_from is None or p.effective_from <= day:
            current = p
    return current


def may_book(patterns: list[Custody], household_id: int, day: dt.date) -> bool:
    """Whether `household_id` may book or cancel the child's `day`: its own day, or any
    day under 'both' (a child without a pattern is its one household's)."""
    pattern = pattern_on(patterns, day)
    if pattern is None:
        return True
    home = household_on(pattern, day)
    return home is None or home == household_id


def changed_days(
    old: Custody, new: Custody, start: dt.date, end: dt.date
) -> list[tuple[dt.date, int | None, int | None]]:
    """(day, household before, household after) of the days from start to end that change
    hands when `new` replaces `old`: what both households are told by e-mail."""
    out = []
    day = start
    while day <= end:
        before, after = household_on(old, day), household_on(new, day)
        if before != after:
            out.append((day, before, after))
        day += dt.timedelta(days=1)
    return out
