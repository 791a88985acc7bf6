"""Operations on requests and bookings: the only code that changes their states.

A parent's click, the API, a staff batch action and the validator job all end here, and
everything here goes through the workflow engine with set-based statements: sending a
request is one transaction with a bounded number of statements whatever its size, and the
validator decides a batch of lines with a handful of UPDATEs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import SQL, Case, fn

from models import (
    Booking,
    Child,
    Household,
    Request,
    RequestLine,
    Service,
    Unit,
    among,
    is_postgres,
    transaction,
)

from . import messages
from .calendar import PARIS, to_utc_naive
from .definitions import BOOK_TRANSITIONS, BOOKING, REQUEST
from .engine import SYSTEM, Actor, Forbidden, WorkflowError, check_many, fire, fire_many
from .rules import LineItem, RuleContext, aware

ACTIONS = ("book", "cancel")
CHUNK = 1000


@dataclass
class LineProblem:
    child_id: int
    unit_id: int
    date: dt.date
    action: str
    code: str
    message_fr: str
    message_en: str

    def as_dict(self) -> dict:
        return {
            "child": self.child_id,
            "unit": self.unit_id,
            "date": self.date.isoformat(),
            "action": self.action,
            "code": self.code,
            "message": self.message_en,
        }


class RequestRefused(WorkflowError):
    """Some lines cannot be sent; nothing was written."""

    code = "request_refused"

    def __init__(self, problems: list[LineProblem]) -> None:
        super().__init__(
            f"{len(problems)} line(s) refused: "
            + ", ".join(f"{p.date} {p.code}" for p in problems[:5])
        )
        self.problems = problems


@dataclass
class RequestSpec:
    child_id: int
    lines: list[tuple[int, dt.date, str]] = field(default_factory=list)  # unit, date, action


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(PARIS)


def _owned_children(actor: Actor, role: str, child_ids) -> dict[int, tuple[int, int]]:
    """child id -> (household id, town id), after checking `actor` holds `role` on each."""
    rows = (
        Child.select(Child.id, Child.household, Household.town)
        .join(Household)
        .where(Child.id.in_(list(set(child_ids))))
        .tuples()
    )
    owners = {cid: (hid, tid) for cid, hid, tid in rows}
    for cid in set(child_ids):
        if cid not in owners or role not in actor.roles_on(*owners[cid]):
            raise Forbidden(f"child {cid} is not within reach of this account", code="forbidden")
    return owners


def _dedupe(lines):
    """The last word on a cell wins; a line for the same cell twice is one line."""
    seen = {}
    for child_id, unit_id, day, action in lines:
        if action not in ACTIONS:
            raise WorkflowError(f"unknown action {action!r}", code="bad_action")
        seen[(child_id, unit_id, day)] = action
    return [(c, u, d, a) for (c, u, d), a in seen.items()]


def check_lines(actor: Actor, role: str, lines, now=None) -> list[LineProblem]:
    """The problems that would stop `lines` (child, unit, date, action) from being sent now:
    the guards of the booking workflow, and the current state of each cell."""
    now = _now(now)
    if not lines:
        return []
    ctx = RuleContext.load(
        {u for _, u, _, _ in lines},
        {c for c, _, _, _ in lines},
        now,
        may_pass_deadline="admin" in actor.staff_roles,
    )
    states = _cell_states(lines)
    towns = _towns_of(actor) if role == "parent" else set()
    problems = []
    for child_id, unit_id, day, action in lines:
        item = LineItem(None, None, child_id, unit_id, day, action, None)
        unit = ctx.units.get(unit_id)
        code = BOOKING.transition(BOOK_TRANSITIONS[action]).guard(item, ctx)
        if not code and unit and role == "parent" and unit.town_id not in towns:
            code = "unknown_unit"
        if not code:
            state = states.get((child_id, unit_id, day), "free")
            if action == "book" and state != "free":
                code = "already_booked"
            elif action == "cancel" and state != "booked":
                code = "not_booked"
        if code:
            params = ctx.reason_params(item, code)
            problems.append(
                LineProblem(
                    child_id,
                    unit_id,
                    day,
                    action,
                    code,
                    messages.reason_fr(code, **params),
                    messages.reason_en(code, **params),
                )
            )
    return problems


def _towns_of(actor: Actor) -> set[int]:
    if not actor.household_ids:
        return set()
    return {
        t
        for (t,) in Household.select(Household.town)
        .where(Household.id.in_(list(actor.household_ids)))
        .tuples()
    }


def _cell_states(lines) -> dict:
    by_child = defaultdict(list)
    for c, _u, d, _ in lines:
        by_child[c].append(d)
    out = {}
    for child_id, days in by_child.items():
        q = (
            Booking.select(Booking.child, Booking.unit, Booking.date, Booking.state)
            .where(Booking.child == child_id, Booking.date.between(min(days), max(days)))
            .tuples()
        )
        for c, u, d, s in q:
            out[(c, u, d)] = s
    return out


# -- the basket ---------------------------------------------------------------------------
def _basket_ids(household_id: int) -> dict[int, int]:
    """child id -> id of that child's basket request in this household."""
    return {
        child_id: rid
        for rid, child_id in Request.select(Request.id, Request.child)
        .where(Request.household == household_id, Request.state == "basket")
        .tuples()
    }


def basket_add(actor: Actor, household_id: int, lines, now=None) -> list[LineProblem]:
    """Put cells in the household's basket. Lines that could not be sent are left out and
    returned as problems; the others replace any line of the basket for the same cell."""
    lines = _dedupe(lines)
    owners = _owned_children(actor, "parent", [c for c, _, _, _ in lines])
    if any(h != household_id for h, _ in owners.values()):
        raise Forbidden("child of another household", code="forbidden")
    problems = check_lines(actor, "parent", lines, now)
    bad = {(p.child_id, p.unit_id, p.date) for p in problems}
    good = [line for line in lines if line[:3] not in bad]
    if not good:
        return problems
    with transaction():
        baskets = _basket_ids(household_id)
        for child_id in {c for c, _, _, _ in good} - set(baskets):
            baskets[child_id] = Request.create(household=household_id, child=child_id).id
        by_child = defaultdict(list)
        for c, u, d, a in good:
            by_child[c].append((u, d, a))
        for child_id, rows in by_child.items():
            rid = baskets[child_id]
            days = [d for _, d, _ in rows]
            existing = {
                (u, d): lid
                for lid, u, d in RequestLine.select(
                    RequestLine.id, RequestLine.unit, RequestLine.date
                )
                .where(RequestLine.request == rid, RequestLine.date.between(min(days), max(days)))
                .tuples()
            }
            stale = [existing[(u, d)] for u, d, _ in rows if (u, d) in existing]
            for i in range(0, len(stale), CHUNK):
                RequestLine.delete().where(RequestLine.id.in_(stale[i : i + CHUNK])).execute()
            _insert_lines(rid, child_id, rows, "draft", None)
    return problems


def _insert_lines(request_id, child_id, rows, state, sent_at) -> None:
    data = [
        {
            "request": request_id,
            "child": child_id,
            "unit": u,
            "date": d,
            "action": a,
            "state": state,
            "sent_at": sent_at,
        }
        for u, d, a in rows
    ]
    for i in range(0, len(data), CHUNK):
        RequestLine.insert_many(data[i : i + CHUNK]).execute()


def basket_lines(household_id: int):
    return list(
        RequestLine.select(RequestLine, Unit, Child)
        .join(Request)
        .switch(RequestLine)
        .join(Unit)
        .switch(RequestLine)
        .join(Child)
        .where(Request.household == household_id, Request.state == "basket")
        .order_by(Child.first_name, RequestLine.date, Unit.position)
    )


def basket_remove(actor: Actor, household_id: int, line_ids) -> int:
    if household_id not in actor.household_ids:
        raise Forbidden("not this household", code="forbidden")
    baskets = list(_basket_ids(household_id).values())
    if not baskets:
        return 0
    return (
        RequestLine.delete()
        .where(RequestLine.id.in_(list(line_ids)), RequestLine.request.in_(baskets))
        .execute()
    )


def basket_empty(actor: Actor, household_id: int) -> None:
    for request in Request.select().where(
        Request.household == household_id, Request.state == "basket"
    ):
        with transaction():
            fire(REQUEST, request, "empty", actor, owner=(household_id, None))
            RequestLine.delete().where(RequestLine.request == request).execute()


def basket_send(actor: Actor, household_id: int, now=None) -> list[int]:
    """Send the basket: one request per child, all in one transaction. Raises RequestRefused
    (and keeps the basket) when a line can no longer be sent, e.g. its deadline has passed."""
    now = _now(now)
    if household_id not in actor.household_ids:
        raise Forbidden("not this household", code="forbidden")
    lines = [
        (line.child_id, line.unit_id, line.date, line.action) for line in basket_lines(household_id)
    ]
    problems = check_lines(actor, "parent", lines, now)
    if problems:
        raise RequestRefused(problems)
    request_ids = list(_basket_ids(household_id).values())
    if not lines:
        return []
    with transaction():
        _send(actor, "parent", request_ids, now)
    return sorted(request_ids)


def submit(actor: Actor, specs: list[RequestSpec], role: str = "parent", now=None) -> list[int]:
    """Create and send requests in one go (the API, and a parent booking several children)."""
    now = _now(now)
    owners = _owned_children(actor, role, [s.child_id for s in specs])
    all_lines = _dedupe([(s.child_id, u, d, a) for s in specs for u, d, a in s.lines])
    if not all_lines:
        raise WorkflowError("a request needs at least one line", code="empty_request")
    problems = check_lines(actor, role, all_lines, now)
    if problems:
        raise RequestRefused(problems)
    by_child = defaultdict(list)
    for c, u, d, a in all_lines:
        by_child[c].append((u, d, a))
    with transaction():
        request_ids = []
        for child_id, rows in by_child.items():
            rid = Request.insert(household=owners[child_id][0], child=child_id).execute()
            # Written pending at once: _send's draft -> pending UPDATE then has nothing to do.
            _insert_lines(rid, child_id, rows, "pending", to_utc_naive(now))
            request_ids.append(rid)
        _send(actor, role, request_ids, now)
    return request_ids


def _send(actor: Actor, role: str, request_ids: list[int], now: dt.datetime) -> None:
    """Inside a transaction: basket -> sent, lines draft -> pending, and each line's
    booking free -> requested (or booked -> cancel_requested), all set-based."""
    sent_at = to_utc_naive(now)
    lines_of = RequestLine.request == Request.id
    fire_many(
        REQUEST,
        "send",
        actor,
        role,
        Request.id.in_(request_ids),
        values={
            "sent_at": sent_at,
            "sent_by": actor.account_id,
            "period_start": RequestLine.select(fn.MIN(RequestLine.date)).where(lines_of),
            "period_end": RequestLine.select(fn.MAX(RequestLine.date)).where(lines_of),
        },
    )
    RequestLine.update(state="pending", sent_at=sent_at).where(
        RequestLine.request.in_(request_ids), RequestLine.state == "draft"
    ).execute()
    # A booking row for every cell a line books, if none exists yet.
    fresh = RequestLine.select(
        RequestLine.child,
        RequestLine.unit,
        RequestLine.date,
        SQL("'free'"),
        SQL("''"),
        SQL("''"),
    ).where(RequestLine.request.in_(request_ids), RequestLine.action == "book")
    Booking.insert_from(
        fresh,
        [
            Booking.child,
            Booking.unit,
            Booking.date,
            Booking.state,
            Booking.refusal_code,
            Booking.refusal_reason,
        ],
    ).on_conflict_ignore().execute()
    for action, transition in BOOK_TRANSITIONS.items():
        # UPDATE booking ... FROM request_line: driven by the request's lines and the
        # booking's unique (child, unit, date) index, whatever the size of the tables.
        own = (
            RequestLine.request.in_(request_ids)
            & (RequestLine.action == action)
            & (RequestLine.state == "pending")
            & (RequestLine.child == Booking.child)
            & (RequestLine.unit == Booking.unit)
            & (RequestLine.date == Booking.date)
        )
        fire_many(
            BOOKING,
            transition,
            actor,
            role,
            own,
            from_=RequestLine,
            values={"line": RequestLine.id, "refusal_code": "", "refusal_reason": "", "rank": None},
            comment=f"request {','.join(map(str, request_ids[:20]))}",
        )
    # Lines whose cell was taken meanwhile (fifty identical requests at once): refused now.
    owned = Booking.select(Booking.id).where(Booking.line == RequestLine.id)
    for action, code in (("book", "already_booked"), ("cancel", "not_booked")):
        RequestLine.update(
            state="refused", reason_code=code, reason=messages.reason_fr(code), decided_at=sent_at
        ).where(
            RequestLine.request.in_(request_ids),
            RequestLine.state == "pending",
            RequestLine.action == action,
            ~fn.EXISTS(owned),
        ).execute()
    instant = [
        _item(row)
        for row in _line_rows()
        .join(Unit, on=RequestLine.unit == Unit.id)
        .where(
            RequestLine.request.in_(request_ids),
            RequestLine.state == "pending",
            Unit.approval_mode == "instant",
        )
        .tuples()
    ]
    if instant:
        decide(instant, SYSTEM, "system", now=now)
    complete_requests(request_ids)


# -- deciding lines -------------------------------------------------------------------------
def _line_rows():
    return RequestLine.select(
        RequestLine.id,
        RequestLine.request,
        RequestLine.child,
        RequestLine.unit,
        RequestLine.date,
        RequestLine.action,
        RequestLine.sent_at,
    )


def _item(row) -> LineItem:
    lid, rid, child_id, unit_id, day, action, sent_at = row
    return LineItem(lid, rid, child_id, unit_id, day, action, aware(sent_at))


def decide(
    items: list[LineItem], actor: Actor, role: str, *, now=None, refuse_comment: str | None = None
) -> dict[str, int]:
    """Decide pending lines, inside the caller's transaction. By the rules (the validator,
    instant units, a staff member's "accept"), or all refused with `refuse_comment` (staff).
    Returns how many lines ended in each state."""
    now = _now(now)
    at = to_utc_naive(now)
    ctx = RuleContext.load({i.unit_id for i in items}, {i.child_id for i in items}, now)
    done: dict[str, int] = defaultdict(int)
    for action, ok_t, refuse_t in (
        ("book", "accept", "refuse"),
        ("cancel", "confirm_cancel", "refuse_cancel"),
    ):
        batch = sorted((i for i in items if i.action == action), key=lambda i: i.id)
        if not batch:
            continue
        if refuse_comment is None:
            ok, refused = check_many(BOOKING, ok_t, batch, ctx)
        else:
            ok, refused = [], [(i, "staff") for i in batch]
        if ok:
            moved = fire_many(
                BOOKING, ok_t, actor, role, among(Booking.line, [i.id for i in ok]), at=at
            )
            done["accepted"] += _mark_lines([lid for _, lid in moved], "accepted", at, actor)
        waiting = [
            i
            for i, code in refused
            if code == "full" and action == "book" and ctx.units[i.unit_id].waiting_list
        ]
        for item in waiting:
            done["queued"] += _queue(item, actor, role, at)
        groups = defaultdict(list)
        for item, code in refused:
            if item in waiting:
                continue
            params = ctx.reason_params(item, code)
            text = messages.reason_fr(code, comment=refuse_comment or "", **params)
            groups[(code, text)].append(item.id)
        for (code, text), line_ids in groups.items():
            moved = fire_many(
                BOOKING,
                refuse_t,
                actor,
                role,
                among(Booking.line, line_ids),
                at=at,
                comment=text,
                values={"refusal_code": code, "refusal_reason": text},
            )
            done["refused"] += _mark_lines(
                [lid for _, lid in moved], "refused", at, actor, code, text
            )
        if action == "cancel" and ok:
            admit_waiting({(i.unit_id, i.date) for i in ok}, ctx, actor, role, at)
    complete_requests({i.request_id for i in items})
    return dict(done)


def _mark_lines(line_ids, state, at, actor, code="", reason="") -> int:
    if not line_ids:
        return 0
    # SQLite caps a statement's parameters: chunks there, one array parameter on PostgreSQL.
    step = len(line_ids) if is_postgres() else CHUNK
    n = 0
    for i in range(0, len(line_ids), step):
        n += (
            RequestLine.update(
                state=state,
                decided_at=at,
                decided_by=actor.account_id,
                reason_code=code,
                reason=reason,
            )
            .where(
                among(RequestLine.id, line_ids[i : i + step]),
                RequestLine.state.in_(["pending", "queued"]),
            )
            .execute()
        )
    return n


def _queue(item: LineItem, actor: Actor, role: str, at) -> int:
    booking = Booking.get_or_none(Booking.line == item.id, Booking.state == "requested")
    if booking is None:
        return 0
    rank = (
        Booking.select(fn.COALESCE(fn.MAX(Booking.rank), 0))
        .where(Booking.unit == item.unit_id, Booking.date == item.date, Booking.state == "waiting")
        .scalar()
    ) + 1
    moved = fire_many(
        BOOKING, "queue", actor, role, Booking.id == booking.id, at=at, values={"rank": rank}
    )
    return _mark_lines([lid for _, lid in moved], "queued", at, actor)


def admit_waiting(cells, ctx: RuleContext, actor: Actor, role: str, at) -> int:
    """Admit waiting bookings of (unit, date) cells, first waiting first, while places last."""
    admitted = 0
    for unit_id, day in sorted(cells):
        if not ctx.units[unit_id].waiting_list:
            continue
        ctx.places_left.pop((unit_id, day), None)  # recount: a cancellation freed a place
        waiting = (
            Booking.select(Booking.id, Booking.line, Booking.child, Booking.unit, Booking.date)
            .where(Booking.unit == unit_id, Booking.date == day, Booking.state == "waiting")
            .order_by(Booking.rank)
            .tuples()
        )
        for bid, lid, child_id, u, d in waiting:
            item = LineItem(lid, None, child_id, u, d, "book", None)
            ok, _ = check_many(BOOKING, "admit", [item], ctx)
            if not ok:
                break
            moved = fire_many(
                BOOKING, "admit", actor, role, Booking.id == bid, at=at, values={"rank": None}
            )
            admitted += _mark_lines([m for _, m in moved if m], "accepted", at, actor)
    return admitted


def withdraw_lines(actor: Actor, household_id: int, line_ids, now=None) -> tuple[int, list]:
    """A parent takes back booking lines of their household still waiting for a decision
    (pending, or on the waiting list), before the booking deadline: each booking is free
    again and the line reads 'withdrawn'. Returns how many were withdrawn and the refused
    ones as (line id, French reason)."""
    now = _now(now)
    if household_id not in actor.household_ids:
        raise Forbidden("not this household", code="forbidden")
    at = to_utc_naive(now)
    def lines(state):
        return [
            _item(r)
            for r in _line_rows()
            .join(Request, on=RequestLine.request == Request.id)
            .where(
                RequestLine.id.in_(list(line_ids)),
                Request.household == household_id,
                RequestLine.action == "book",
                RequestLine.state == state,
            )
            .tuples()
        ]

    with transaction():
        pending, waiting = lines("pending"), lines("queued")
        items = pending + waiting
        if not items:
            return 0, []
        ctx = RuleContext.load({i.unit_id for i in items}, {i.child_id for i in items}, now)
        ok, refused = check_many(BOOKING, "withdraw", pending, ctx)
        moved = fire_many(
            BOOKING, "withdraw", actor, "parent", among(Booking.line, [i.id for i in ok]), at=at
        )
        moved += fire_many(
            BOOKING, "leave_waiting", actor, "parent",
            Booking.line.in_([i.id for i in waiting]), at=at,
        )
        n = _mark_lines([lid for _, lid in moved], "withdrawn", at, actor)
        complete_requests({i.request_id for i in items})
    problems = [
        (item.id, messages.reason_fr(code, **ctx.reason_params(item, code)))
        for item, code in refused
    ]
    return n, problems


def complete_requests(request_ids=None) -> int:
    """sent -> done for requests none of whose lines is still pending, with their summary.
    With no ids, every sent request (the validator's closing sweep)."""
    lines = RequestLine.request == Request.id
    has = lambda state: fn.EXISTS(  # noqa: E731
        RequestLine.select(RequestLine.id).where(lines, RequestLine.state == state)
    )
    summary = Case(
        None,
        [
            (~has("accepted") & ~has("refused") & ~has("queued"), "withdrawn"),
            (~has("refused") & ~has("queued"), "accepted"),
            (~has("accepted") & ~has("queued"), "refused"),
            (~has("accepted") & ~has("refused"), "waiting"),  # every line on the waiting list
        ],
        "partly_accepted",
    )
    where = ~has("pending")
    if request_ids is not None:
        request_ids = list(request_ids)
        if not request_ids:
            return 0
        where &= Request.id.in_(request_ids)
    return len(fire_many(REQUEST, "complete", SYSTEM, "system", where, values={"summary": summary}))


# -- the validator and the staff's worklist ---------------------------------------------------
def validate_batch(limit: int = 5000, now=None) -> int:
    """Decide up to `limit` pending lines of units in timer mode, oldest first, in one
    transaction. On PostgreSQL the lines are taken with FOR UPDATE SKIP LOCKED, so two
    workers take disjoint batches; on SQLite the write lock serialises them. Either way
    a line already decided is no longer pending and is never decided twice."""
    with transaction():
        q = (
            _line_rows()
            .where(
                RequestLine.state == "pending",
                RequestLine.unit.in_(Unit.select(Unit.id).where(Unit.approval_mode == "timer")),
            )
            .order_by(RequestLine.id)
            .limit(limit)
        )
        if is_postgres():
            q = q.for_update("FOR UPDATE SKIP LOCKED")
        items = [_item(row) for row in q.tuples()]
        if items:
            decide(items, SYSTEM, "system", now=now)
    return len(items)


def sweep(batch: int = 5000, now=None, max_batches: int | None = None) -> int:
    """Validate until nothing is pending (each batch its own transaction), then close every
    request left with no pending line. Returns the number of lines decided."""
    total, n = 0, 0
    while max_batches is None or n < max_batches:
        decided = validate_batch(batch, now=now)
        total += decided
        n += 1
        if decided < batch:
            break
    with transaction():
        complete_requests()
    return total


def worklist(actor: Actor, *, stale_after: int = 1800, now=None):
    """Pending lines an approver of the actor's town decides: units in staff mode, and any
    line the timer has left pending longer than `stale_after` seconds."""
    stale_before = to_utc_naive(_now(now)) - dt.timedelta(seconds=stale_after)
    return (
        RequestLine.select(RequestLine, Unit, Child)
        .join(Unit)
        .join(Service)
        .switch(RequestLine)
        .join(Child)
        .where(
            RequestLine.state == "pending",
            Service.town == actor.town_id,
            (Unit.approval_mode == "staff") | (RequestLine.sent_at < stale_before),
        )
        .order_by(RequestLine.date, RequestLine.id)
    )


def staff_decide(actor: Actor, line_ids, decision: str, comment: str = "", now=None) -> dict:
    """An approver accepts (by the rules) or refuses (with a reason) a batch of lines of
    their town."""
    if decision not in ("accept", "refuse"):
        raise WorkflowError(f"unknown decision {decision!r}", code="bad_decision")
    if decision == "refuse" and not comment.strip():
        raise WorkflowError("a reason is required", code="reason_required")
    if "approver" not in actor.roles_on(None, actor.town_id):
        raise Forbidden("approvers only", code="forbidden")
    with transaction():
        rows = (
            _line_rows()
            .join(Unit, on=RequestLine.unit == Unit.id)
            .join(Service)
            .where(
                RequestLine.id.in_(list(line_ids)),
                RequestLine.state == "pending",
                Service.town == actor.town_id,
            )
            .tuples()
        )
        items = [_item(r) for r in rows]
        if not items:
            return {}
        return decide(
            items,
            actor,
            "approver",
            now=now,
            refuse_comment=comment if decision == "refuse" else None,
        )


def request_detail(request_id: int):
    return Request.get_or_none(Request.id == request_id)


def request_lines(request_id: int):
    return list(
        RequestLine.select(RequestLine, Unit)
        .join(Unit)
        .where(RequestLine.request == request_id)
        .order_by(RequestLine.date, Unit.position)
    )


def household_requests(household_id: int, limit: int = 200):
    return list(
        Request.select(Request, Child)
        .join(Child)
        .where(Request.household == household_id, Request.state.in_(["sent", "done"]))
        .order_by(Request.id.desc())
        .limit(limit)
    )
