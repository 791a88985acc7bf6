"""A child shared by two homes: the Martin household (the child's own) and the Durand one."""

from __future__ import annotations

import datetime as dt

from models import Child
from tests import factories as f
from workflows import homes


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def shared_child(town, kind: str = "weeks", start: dt.date | None = None, **kw):
    """(martin, durand, léa): Léa of the Martin household shared with the Durand household,
    alternate weeks from `start` (a Monday: the Martin week), effective at once."""
    martin = f.household(town, "Martin", ("Léa",))
    durand = f.household(town, "Durand", ("Zoé",))
    lea = Child.get(Child.household == martin.id)
    start = start or monday_of(f.open_days(n=1)[0])
    staff = f.staff(town, "approver")
    homes.set_pattern(
        actor_of(staff), lea.id, durand.id, kind, dt.date(2000, 1, 1), start=start, **kw
    )
    return martin, durand, lea


def actor_of(account):
    from workflows.accounts import actor_for

    return actor_for(account)


def days_of(home, martin, durand, days, start):
    """Of `days`, those that are `home`'s under alternate weeks from `start`."""
    out = []
    for d in days:
        week = (d - start).days // 7
        if (week % 2 == 0) == (home is martin):
            out.append(d)
    return out
