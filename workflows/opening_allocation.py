"""An opening's allocation at the close, its preview, its publication and the households'
e-mails (the rules and the draw themselves are workflows/draw.py, a pure function).

`allocate` is what the timer's job runs: the opening's `allocate` transition is a
conditional UPDATE, so of two jobs at once one moves the opening and writes the decisions,
the other finds it moved and does nothing. The decisions are rows (`OpeningDecision`, one
INSERT per thousand): the staff's preview. `publish` turns them into requests, lines and
bookings through the booking workflow, set-based (one statement per outcome and rule), each
booking's history row naming the rule that decided it, and writes one e-mail per household."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from peewee import Case, Value, fn

from models import (
    Booking,
    Child,
    Request,
    RequestLine,
    Town,
    Unit,
    among,
    database,
    is_postgres,
    transaction,
)
from models.openings import Opening, OpeningDecision, OpeningRequest

from . import draw, outbox
from .bookings import send_requests
from .calendar import PARIS, format_date_fr, to_utc_naive
from .decisions import complete_requests, decided
from .definitions import OPENING, REQUEST_LINE
from .engine import SYSTEM, Actor, Conflict, fire, fire_carried
from .openings import RULE_WORDS, OpeningRefused, asked_days, enrolled_children, units_of
from .rules import RuleContext

CHUNK = 1000


def asks_of(opening: Opening) -> list[draw.Ask]:
    rows = list(OpeningRequest.select().where(OpeningRequest.opening == opening.id))
    enrolled = enrolled_children(opening, {r.child_id for r in rows})
    return [
        draw.Ask(
            r.id,
            r.household_id,
            r.child_id,
            r.unit_id,
            tuple(asked_days(r)),
            r.together,
            r.child_id in enrolled,
            r.resident,
            r.situation,
        )
        for r in rows
    ]


def places_left(opening: Opening, asks, now=None):
    """(unit, day) -> places left (the unit's capacity less the places taken), and the
    last rank on each day's waiting list."""
    keys = {(a.unit_id, d) for a in asks for d in a.days}
    units = {u.id: u for u in units_of(opening)}
    ctx = RuleContext.load(list(units), [], now)
    limited = {k for k in keys if units[k[0]].capacity is not None}
    ctx.load_places(limited)
    places = {k: (ctx.places_left[k] if k in limited else len(asks)) for k in keys}
    ranks = dict(
        ((u, d), n)
        for u, d, n in Booking.select(Booking.unit, Booking.date, fn.MAX(Booking.rank))
        .where(among(Booking.unit, list(units)), Booking.state == "waiting")
        .where(Booking.date.between(opening.start, opening.end))
        .group_by(Booking.unit, Booking.date)
        .tuples()
        if n
    )
    return places, ranks


def compute(opening: Opening, now=None) -> list[draw.Decision]:
    """The allocation, as `publish` would apply it (same seed, same requests, same result)."""
    asks = asks_of(opening)
    places, ranks = places_left(opening, asks, now)
    return draw.allocate(opening.seed, asks, opening.rule_list, places, ranks)


def due(now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    """The openings to open and those to allocate, by the clock."""
    at = to_utc_naive(now or dt.datetime.now(PARIS))
    to_open = Opening.select(Opening.id).where(Opening.state == "draft", Opening.opens_at <= at)
    to_allocate = Opening.select(Opening.id).where(
        Opening.state == "collecting", Opening.closes_at <= at
    )
    return [i for (i,) in to_open.tuples()], [i for (i,) in to_allocate.tuples()]


def allocate(opening_id: int, actor: Actor = SYSTEM, now=None) -> int | None:
    """Allocate a closed opening once: how many decisions were written, None when another
    job (or a staff member) did it first, or when the window is still open."""
    now = now or dt.datetime.now(PARIS)
    try:
        with transaction():
            opening = Opening.get_by_id(opening_id)
            if opening.state != "collecting" or to_utc_naive(now) < opening.closes_at:
                return None
            # The conditional UPDATE first: the job that loses waits for the winner's row
            # lock (PostgreSQL) or the write lock (SQLite), finds the state moved, stops.
            fire(
                OPENING,
                opening,
                "allocate",
                actor,
                owner=(None, opening.town_id),
                values={"allocated_at": to_utc_naive(now)},
            )
            decisions = compute(opening, now)
            write_decisions(opening.id, decisions)
            return len(decisions)
    except Conflict:
        return None


def reallocate(opening: Opening, actor: Actor, now=None) -> int:
    """The same draw again on the places left now (publish refused: places were booked
    meanwhile): the decisions replaced, in one transaction. How many were written."""
    now = now or dt.datetime.now(PARIS)
    with transaction():
        fire(
            OPENING,
            opening,
            "reallocate",
            actor,
            owner=(None, opening.town_id),
            values={"allocated_at": to_utc_naive(now)},
        )
        OpeningDecision.delete().where(OpeningDecision.opening == opening.id).execute()
        decisions = compute(opening, now)
        write_decisions(opening.id, decisions)
    return len(decisions)


def write_decisions(opening_id: int, decisions: list[draw.Decision]) -> None:
    """The decisions as rows: on PostgreSQL one INSERT of nine array parameters (binding
    nine parameters for each of 100,000 rows costs peewee more than the INSERT costs the
    database); elsewhere one INSERT per thousand."""
    columns = ("request", "child", "unit", "date", "outcome", "rule", "rank", "position")
    values = [
        (d.request_id, d.child_id, d.unit_id, d.date, d.outcome, d.rule, d.rank, d.position)
        for d in decisions
    ]
    if is_postgres():
        arrays = [list(c) for c in zip(*values, strict=True)] if values else [[]] * 8
        database.execute_sql(
            f'INSERT INTO "{OpeningDecision._meta.table_name}" ("opening_id", "request_id", '
            '"child_id", "unit_id", "date", "outcome", "rule", "rank", "position") '
            "SELECT %s, r, c, u, d, o, ru, ra, p FROM unnest(%s::integer[], %s::integer[], "
            "%s::integer[], %s::date[], %s::varchar[], %s::varchar[], %s::integer[], "
            "%s::integer[]) AS x(r, c, u, d, o, ru, ra, p)",
            (opening_id, *arrays),
        )
        return
    rows = [{"opening": opening_id, **dict(zip(columns, v, strict=True))} for v in values]
    for i in range(0, len(rows), CHUNK):
        OpeningDecision.insert_many(rows[i : i + CHUNK]).execute()


def preview(opening: Opening) -> list[OpeningDecision]:
    return list(
        OpeningDecision.select()
        .where(OpeningDecision.opening == opening.id)
        .order_by(OpeningDecision.position, OpeningDecision.child, OpeningDecision.date)
    )


def publish(opening: Opening, actor: Actor, now=None, public_url: str = "") -> int:
    """allocated -> published: the decisions become requests, lines and bookings (admitted:
    booked; the others on the waiting list with their rank), the requests are done, and
    each household gets one e-mail. Refused (in French) if places changed meanwhile.
    Returns how many households were written to."""
    now = now or dt.datetime.now(PARIS)
    at = to_utc_naive(now)
    role = "approver"
    with transaction():
        decisions = OpeningDecision.opening == opening.id
        admitted = defaultdict(int)
        for u, d, n in (
            OpeningDecision.select(OpeningDecision.unit, OpeningDecision.date, fn.COUNT(1))
            .where(decisions, OpeningDecision.outcome == "admitted")
            .group_by(OpeningDecision.unit, OpeningDecision.date)
            .tuples()
        ):
            admitted[(u, d)] = n
        asks = asks_of(opening)
        places, _ = places_left(opening, asks, now)
        if any(n > places.get(k, 0) for k, n in admitted.items()):
            raise OpeningRefused(
                "Des places ont été prises depuis l'attribution : attribuez de nouveau avant "
                "de publier.",
                code="full",
            )
        # Checked first (the units locked on PostgreSQL until the commit), then moved.
        fire(
            OPENING,
            opening,
            "publish",
            actor,
            owner=(None, opening.town_id),
            values={"published_at": at},
        )
        children = OpeningDecision.select(OpeningDecision.child).where(decisions).distinct()
        request_ids = [
            rid
            for (rid,) in Request.insert_from(
                OpeningRequest.select(
                    OpeningRequest.household,
                    OpeningRequest.child,
                    Value("basket"),
                    Value(""),
                    Value(at),
                ).where(OpeningRequest.opening == opening.id, OpeningRequest.child.in_(children)),
                [
                    Request.household,
                    Request.child,
                    Request.state,
                    Request.summary,
                    Request.created_at,
                ],
            )
            .returning(Request.id)
            .tuples()
            .execute()
        ]
        if not request_ids:
            return 0
        own_request = (Request.child == OpeningDecision.child) & among(Request.id, request_ids)
        RequestLine.insert_from(
            OpeningDecision.select(
                Request.id,
                OpeningDecision.child,
                OpeningDecision.unit,
                OpeningDecision.date,
                Value("book"),
                Value("pending"),
                Value(at),
                Value(""),
                Value(""),
            )
            .join(Request, on=own_request)
            .where(decisions),
            [
                RequestLine.request,
                RequestLine.child,
                RequestLine.unit,
                RequestLine.date,
                RequestLine.action,
                RequestLine.state,
                RequestLine.sent_at,
                RequestLine.reason_code,
                RequestLine.reason,
            ],
        ).execute()
        send_requests(actor, role, request_ids, now, {"book"}, pending=None)
        _decide(opening, request_ids, actor, role, at)
        complete_requests(request_ids)
        # The household's e-mail below says it all: no per-request announcement.
        Request.update(notified_at=at).where(among(Request.id, request_ids)).execute()
        return outbox.write_many(mails(opening, public_url))


def _decide(opening: Opening, request_ids, actor: Actor, role: str, at) -> None:
    """The pending lines accepted or queued, one set-based firing per outcome and rule, the
    booking's history row saying the rule; then the waiting bookings get their ranks."""
    od = OpeningDecision
    same = (
        (od.child == RequestLine.child)
        & (od.unit == RequestLine.unit)
        & (od.date == RequestLine.date)
    )
    groups = od.select(od.outcome, od.rule).where(od.opening == opening.id).distinct().tuples()
    for outcome, rule in list(groups):
        lines = (
            RequestLine.select(RequestLine.id)
            .join(od, on=same)
            .where(
                among(RequestLine.request, request_ids),
                od.opening == opening.id,
                od.outcome == outcome,
                od.rule == rule,
            )
        )
        name = "accept" if outcome == "admitted" else "queue"
        words = f"{opening.label} : {RULE_WORDS.get(rule, rule)}"
        fire_carried(
            REQUEST_LINE,
            name,
            actor,
            role,
            Booking.line.in_(lines),
            source="pending",
            action="book",
            at=at,
            comment=words,
            values=decided(at, actor, f"opening_{rule}", words),
        )
    rank = od.select(od.rank).where(
        od.opening == opening.id,
        od.child == Booking.child,
        od.unit == Booking.unit,
        od.date == Booking.date,
    )
    Booking.update(rank=rank).where(
        Booking.state == "waiting",
        Booking.line.in_(
            RequestLine.select(RequestLine.id).where(among(RequestLine.request, request_ids))
        ),
    ).execute()


def mails(opening: Opening, public_url: str = "") -> list[outbox.Mail]:
    """One e-mail per household: each child's days, admitted or waiting with the rank."""
    town = Town.get_by_id(opening.town_id)
    per_household = defaultdict(lambda: defaultdict(list))  # household -> (number, name) -> days
    q = (
        OpeningDecision.select(
            OpeningRequest.household,
            OpeningRequest.id,
            Child.first_name,
            OpeningDecision.date,
            Unit.label,
            OpeningDecision.outcome,
            OpeningDecision.rank,
        )
        .join(OpeningRequest, on=OpeningDecision.request == OpeningRequest.id)
        .switch(OpeningDecision)
        .join(Child, on=OpeningDecision.child == Child.id)
        .switch(OpeningDecision)
        .join(Unit, on=OpeningDecision.unit == Unit.id)
        .where(OpeningDecision.opening == opening.id)
        .order_by(OpeningRequest.household, Child.first_name, OpeningDecision.date)
        .tuples()
    )
    for household_id, number, first_name, day, label, outcome, rank in q:
        text = "place attribuée" if outcome == "admitted" else f"liste d'attente, rang {rank}"
        per_household[household_id][(number, first_name)].append(
            {"day": format_date_fr(day), "unit": label, "outcome": text}
        )
    to = outbox.addresses(list(per_household))
    base = public_url.rstrip("/")
    out = []
    for household_id, children in per_household.items():
        values = {
            "opening": opening.label,
            "children": [
                {"name": name, "number": number, "days": days}
                for (number, name), days in children.items()
            ],
            "link": f"{base}/ouvertures/{opening.id}" if base else "",
            "seed": opening.seed,
            "town_name": town.name,
        }
        subject = f"{opening.label} : attribution des places"
        out.append(outbox.Mail(tuple(to[household_id]), subject, "opening_published", values))
    return out


def day_figures(opening: Opening) -> list[dict]:
    """Per unit and day: the places, the requests and the places given (once published)."""
    units = {u.id: u for u in units_of(opening)}
    od = OpeningDecision
    rows = (
        od.select(
            od.unit,
            od.date,
            fn.COUNT(od.id),
            fn.SUM(Case(None, [(od.outcome == "admitted", 1)], 0)),
        )
        .where(od.opening == opening.id)
        .group_by(od.unit, od.date)
        .order_by(od.date, od.unit)
        .tuples()
    )
    return [
        {
            "day": format_date_fr(d),
            "unit": units[u].label,
            "places": units[u].capacity,
            "requests": n,
            "admitted": int(a or 0),
        }
        for u, d, n, a in rows
    ]
