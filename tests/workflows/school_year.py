"""The school year the calendar tests are written for, whatever the clock says: a town of
zone A on 23 November 2026, and the deadline of its canteen (three working days, 09:00)."""

from __future__ import annotations

import datetime as dt

from workflows.calendar import PARIS, Deadline
from workflows.planning import planning

from .. import factories as f

TODAY = dt.date(2026, 11, 23)  # the school year 2026-2027, whatever the clock says
BEFORE_EVERYTHING = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
BILLERE = Deadline(3, "working_days", dt.time(9, 0))


def at9(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 9, 0, tzinfo=PARIS)


def cells_of(child, start, end, unit_code=None, now=BEFORE_EVERYTHING):
    return {
        (c.date, c.unit.code): c
        for c in planning(child.id, start, end, now=now)
        if unit_code is None or c.unit.code == unit_code
    }


def state_of(child, day, code="REPAS"):
    return cells_of(child, day, day)[(day, code)].state


def household(town, **kw):
    h = f.household(town, **kw)
    h._town = town
    return h
