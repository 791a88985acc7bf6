"""The parents' home (tableau de bord): the town's latest news, this week's menu at each
child's site with their meal option and PAI marked, the requests still waiting, the
amount due, the next booking deadlines, the documents "à lire". Each block is read
through the workflow's own readings (visible content, units.until over a RuleContext,
the open invoices), never a rule of its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models import Child, Enrolment, Request
from models.billing import Invoice

from . import content_public, custody, homes, menus
from .billing import OPEN_STATES
from .calendar import PARIS, format_date_fr, format_deadline_fr, to_utc_naive
from .planning import enrolled
from .rules import RuleContext
from .units import load_closures, until

WEEKS_AHEAD = 4


@dataclass
class DeadlineLine:
    week: dt.date
    at: dt.datetime  # aware, Paris
    units: list[str]
    child_id: int

    @property
    def text(self) -> str:
        """'Semaine du 11 janvier : réservez avant le mercredi 6 janvier à 9h00'."""
        week = format_date_fr(self.week, "d MMMM")
        return f"Semaine du {week} : réservez avant le {format_deadline_fr(self.at)}"


@dataclass
class Home:
    news: list = field(default_factory=list)
    menus: list = field(default_factory=list)
    menu_week: dt.date | None = None
    pending: list = field(default_factory=list)
    pending_count: int = 0
    due_cents: int = 0
    payable: list[int] = field(default_factory=list)
    deadlines: list[DeadlineLine] = field(default_factory=list)
    to_read: list = field(default_factory=list)


def next_deadlines(
    children: list[Child], now: dt.datetime, limit: int = 3, household_id: int | None = None
):
    """The next booking deadlines of the children's units: for each of the coming weeks,
    the deadline of its first open day (units.until), while it is still ahead; units with
    the same deadline share a line. A shared child's days are `household_id`'s own only."""
    shared = homes.patterns_of([c.id for c in children]) if household_id else {}
    start = menus.monday(now.astimezone(PARIS).date())
    end = start + dt.timedelta(days=7 * WEEKS_AHEAD - 1)
    lines: dict[tuple[dt.date, dt.datetime], DeadlineLine] = {}
    for child in children:
        found = enrolled(child.id, start, end)
        if found is None or not found.units:
            continue
        closures = load_closures({u.town_id for u in found.units.values()}, start, end)
        ctx = RuleContext(found.units, {child.id: found.periods}, closures, now)
        for unit in found.units.values():
            for w in range(WEEKS_AHEAD):
                week = start + dt.timedelta(days=7 * w)
                for day in (week + dt.timedelta(days=i) for i in range(7)):
                    if child.id in shared and not custody.may_book(
                        shared[child.id], household_id, day
                    ):
                        continue
                    if ctx.open_code(child.id, unit, day) is None:
                        ahead = until(unit, "book", day, now)
                        if not ahead.passed:
                            line = lines.setdefault(
                                (week, ahead.at), DeadlineLine(week, ahead.at, [], child.id)
                            )
                            if unit.label not in line.units:
                                line.units.append(unit.label)
                        break
    return sorted(lines.values(), key=lambda line: (line.at, line.week))[:limit]


def _menus(children: list[Child], week: dt.date, now_utc: dt.datetime):
    """This week's visible menu at each site where a child is enrolled, with the
    children of that site."""
    end = week + dt.timedelta(days=6)
    by_site: dict[int, list[Child]] = {}
    rows = (
        Enrolment.select(Enrolment.child, Enrolment.site)
        .where(
            Enrolment.child.in_([c.id for c in children]),
            Enrolment.state == "active",
            Enrolment.start <= end,
            Enrolment.end >= week,
        )
        .tuples()
    )
    known = {c.id: c for c in children}
    for child_id, site_id in rows:
        kids = by_site.setdefault(site_id, [])
        if known[child_id] not in kids:
            kids.append(known[child_id])
    found = menus.published_menus(by_site, week, now_utc)
    return [menus.week_menu(item, by_site[site_id]) for site_id, item in found.items()]


def home(household_id: int, town_id: int, children: list[Child], now: dt.datetime) -> Home:
    """The blocks of the home page of a household at `now` (aware)."""
    now_utc = to_utc_naive(now)
    h = Home()
    h.news = content_public.latest_news(town_id, 3, now_utc)
    h.menu_week = menus.shown_week(now.astimezone(PARIS).date())
    h.menus = _menus(children, h.menu_week, now_utc) if children else []
    pending = (
        Request.select(Request, Child)
        .join(Child)
        .where(Request.household == household_id, Request.state == "sent")
        .order_by(Request.id.desc())
    )
    h.pending_count = pending.count()
    h.pending = list(pending.limit(3))
    invoices = list(
        Invoice.select().where(Invoice.household == household_id, Invoice.state.in_(OPEN_STATES))
    )
    h.due_cents = sum(i.balance_cents for i in invoices if i.is_open)
    h.payable = [i.id for i in invoices if i.is_open and not i.pending_payment_id]
    h.deadlines = next_deadlines(children, now, household_id=household_id)
    h.to_read = content_public.documents(town_id, to_read=True, now=now_utc)[:5]
    return h
