"""A summer leisure centre opened for requests, with a few of them: the demo's opening, and
the tests' and the benchmark's way to set one up."""

from __future__ import annotations

import datetime as dt

from models import Service, Site, Unit
from models.openings import Opening

from .calendar import PARIS
from .openings import define_opening, open_collecting


def summer_centre(town, capacity: int = 40, name: str = "ALSH été") -> tuple[Service, Unit]:
    service = Service.create(town=town, name=name)
    site = Site.create(town=town, name="Centre de loisirs des Tilleuls")
    unit = Unit.create(
        service=service,
        site=site,
        code="ALSH ETE",
        label="Centre de loisirs d'été (journée)",
        weekdays="12345",
        approval_mode="staff",
        capacity=capacity,
        waiting_list=True,
        position=90,
    )
    return service, unit


def summer_opening(
    town, unit: Unit, now: dt.datetime | None = None, year: int | None = None, rules=None
) -> Opening:
    """July of next summer, requests from yesterday 8:30 to the coming Friday 18:00 (a week
    later when today is Friday), places given at 18:30; opened (the seed committed)."""
    now = now or dt.datetime.now(PARIS)
    year = year or (now.year if now.month < 7 else now.year + 1)
    friday = now.date() + dt.timedelta(days=(4 - now.weekday()) % 7 or 7)
    opening = define_opening(
        town.id,
        unit.service_id,
        [unit.id],
        f"Centre de loisirs d'été {year}",
        dt.date(year, 7, 6),
        dt.date(year, 7, 31),
        dt.datetime.combine(now.date() - dt.timedelta(days=1), dt.time(8, 30)),
        dt.datetime.combine(friday, dt.time(18, 0)),
        rules=rules,
        announce_at=dt.datetime.combine(friday, dt.time(18, 30)),
    )
    return open_collecting(opening)


def create_opening_demo(town, today: dt.date | None = None) -> Opening:
    """The demo's summer centre (12 places a day), open for requests, with the requests of
    the first five demo households (famille01..05); the Martin family has not asked yet."""
    from models import Guardian, Household

    from .accounts import actor_for
    from .openings import ask, open_days

    now = dt.datetime.combine(today, dt.time(10, 0), tzinfo=PARIS) if today else None
    _service, unit = summer_centre(town, capacity=12)
    opening = summer_opening(town, unit, now=now)
    days = open_days(opening, unit)
    guardians = (
        Guardian.select()
        .join(Household)
        .where(Household.town == town, Guardian.email.startswith("famille0"))
        .order_by(Guardian.email)
        .limit(5)
    )
    for i, g in enumerate(guardians):
        actor = actor_for(g.account)
        kids = list(g.household.children)
        for child in kids:
            ask(
                actor,
                opening,
                child.id,
                days[i : i + 8],
                together=len(kids) > 1,
                resident=i % 2 == 0,
                now=now or dt.datetime.now(PARIS),
            )
    return opening
