"""Deciding lines: the validator's batches, instant units, the approvers' batch actions
and their worklist. Every decision fires booking transitions set-based, in the caller's
transaction or one of its own, and closes the requests left with nothing pending."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from peewee import Case, fn

from models import (
    Booking,
    Child,
    Request,
    RequestLine,
    Service,
    Unit,
    among,
    database,
    is_postgres,
    transaction,
)

from . import effects, family_notices, messages
from .calendar import PARIS, to_utc_naive
from .definitions import BOOKING, REQUEST, REQUEST_LINE
from .engine import (
    SYSTEM,
    Actor,
    Forbidden,
    WorkflowError,
    check_many,
    fire_carried,
    fire_many,
    may_fire_many,
)
from .rules import LineItem, RuleContext, aware


def now_or(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(PARIS)


def line_rows():
    return RequestLine.select(
        RequestLine.id,
        RequestLine.request,
        RequestLine.child,
        RequestLine.unit,
        RequestLine.date,
        RequestLine.action,
        RequestLine.sent_at,
    )


def line_items(query) -> list[LineItem]:
    """The lines of a `line_rows()` query, as the guards see them. On PostgreSQL the rows
    come straight from the cursor, psycopg2 having already made dates and datetimes of them:
    peewee's conversion of every value was most of the Python cost of a validator batch."""
    if is_postgres():
        rows = database.execute_sql(*query.sql()).fetchall()
    else:
        rows = query.tuples()
    aware_of = {}  # the lines of a request share their sent_at
    items = []
    for lid, rid, child_id, unit_id, day, action, sent_at in rows:
        at = aware_of.get(sent_at)
        if at is None:
            at = aware_of[sent_at] = aware(sent_at)
        items.append(LineItem(lid, rid, child_id, unit_id, day, action, at))
    return items


def decided(at, actor: Actor, code: str = "", reason: str = "") -> dict:
    """What a decided line says of its decision: when, by whom, why."""
    return {"decided_at": at, "decided_by": actor.account_id, "reason_code": code, "reason": reason}


def _carry(name: str, source: str, action: str, where, actor: Actor, role: str, at, **kw) -> int:
    """Fire REQUEST_LINE's `name` from `source` on the lines of `action` owning the bookings
    `where` selects, with the booking transition it carries; how many lines moved."""
    code, reason = kw.pop("code", ""), kw.pop("reason", "")
    return fire_carried(
        REQUEST_LINE,
        name,
        actor,
        role,
        where,
        source=source,
        action=action,
        at=at,
        values=decided(at, actor, code, reason),
        **kw,
    ).followed


def decide(
    items: list[LineItem],
    actor: Actor,
    role: str,
    *,
    now=None,
    refuse_comment: str | None = None,
    may_pass_deadline: bool = False,
) -> dict[str, int]:
    """Decide pending lines, inside the caller's transaction. By the rules (the validator,
    instant units, a staff member's "accept"), or all refused with `refuse_comment` (staff).
    Returns how many lines ended in each state."""
    now = now_or(now)
    at = to_utc_naive(now)
    ctx = RuleContext.load(
        {i.unit_id for i in items}, {i.child_id for i in items}, now, may_pass_deadline
    )
    done: dict[str, int] = defaultdict(int)
    accept = REQUEST_LINE.transition("accept")
    for action in ("book", "cancel"):
        batch = sorted((i for i in items if i.action == action), key=lambda i: i.id)
        if not batch:
            continue
        if refuse_comment is None:
            # The guards are those of the booking transition the line's carries.
            ok, refused = check_many(BOOKING, accept.carried("pending", action), batch, ctx)
        else:
            ok, refused = [], [(i, "staff") for i in batch]
        if ok:
            done["accepted"] += _carry(
                "accept",
                "pending",
                action,
                among(Booking.line, [i.id for i in ok]),
                actor,
                role,
                at,
            )
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
            done["refused"] += _carry(
                "refuse",
                "pending",
                action,
                among(Booking.line, line_ids),
                actor,
                role,
                at,
                comment=text,
                carried_values={"refusal_code": code, "refusal_reason": text},
                code=code,
                reason=text,
            )
        if action == "cancel" and ok:
            admit_waiting({(i.unit_id, i.date) for i in ok}, ctx, actor, role, at)
    complete_requests({i.request_id for i in items})
    return dict(done)


def _queue(item: LineItem, actor: Actor, role: str, at) -> int:
    booking = Booking.get_or_none(Booking.line == item.id, Booking.state == "requested")
    if booking is None:
        return 0
    rank = (
        Booking.select(fn.COALESCE(fn.MAX(Booking.rank), 0))
        .where(Booking.unit == item.unit_id, Booking.date == item.date, Booking.state == "waiting")
        .scalar()
    ) + 1
    return _carry(
        "queue",
        "pending",
        "book",
        Booking.id == booking.id,
        actor,
        role,
        at,
        carried_values={"rank": rank},
    )


def admit_waiting(cells, ctx: RuleContext, actor: Actor, role: str, at) -> int:
    """Admit waiting bookings of (unit, date) cells, first waiting first, while places last;
    the others move up the line (ranks 1, 2… again), and the households admitted are told."""
    admitted = []
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
        moved = False
        for bid, lid, child_id, u, d in waiting:
            item = LineItem(lid, None, child_id, u, d, "book", None)
            ok, _ = check_many(BOOKING, "admit", [item], ctx)
            if not ok:
                break
            if _carry(
                "admit",
                "queued",
                "book",
                Booking.id == bid,
                actor,
                role,
                at,
                carried_values={"rank": None},
            ):
                admitted.append(bid)
                moved = True
        if moved:
            _rerank(unit_id, day)
    family_notices.tell_admitted(admitted)
    return len(admitted)


def _rerank(unit_id: int, day) -> None:
    """The waiting of a cell numbered 1, 2… again, in their order."""
    rows = (
        Booking.select(Booking.id, Booking.rank)
        .where(Booking.unit == unit_id, Booking.date == day, Booking.state == "waiting")
        .order_by(Booking.rank, Booking.id)
        .tuples()
    )
    for new, (bid, rank) in enumerate(list(rows), start=1):
        if rank != new:
            Booking.update(rank=new).where(Booking.id == bid).execute()


# A request's summary by which decided states its lines are in, as bits (accepted 1, refused
# 2, queued 4): one pass over the lines instead of an EXISTS per state and case.
SUMMARY_BITS = {"accepted": 1, "refused": 2, "queued": 4}
SUMMARIES = [(0, "withdrawn"), (1, "accepted"), (2, "refused"), (4, "waiting")]


def complete_requests(request_ids=None) -> int:
    """sent -> done for requests none of whose lines is still pending, with their summary:
    withdrawn (no line accepted, refused or queued), accepted, refused, waiting (every line
    on the waiting list) when their decided lines are all of one state, else partly_accepted.
    With no ids, every sent request (the validator's closing sweep)."""
    lines = RequestLine.request == Request.id
    accepted, refused, queued = (
        fn.MAX(Case(None, [(RequestLine.state == state, bit)], 0))
        for state, bit in SUMMARY_BITS.items()
    )
    bits = RequestLine.select(accepted + refused + queued).where(lines)
    summary = Case(fn.COALESCE(bits, 0), SUMMARIES, "partly_accepted")
    where = ~fn.EXISTS(
        RequestLine.select(RequestLine.id).where(lines, RequestLine.state == "pending")
    )
    if request_ids is not None:
        request_ids = list(request_ids)
        if not request_ids:
            return 0
        where &= Request.id.in_(request_ids)
    done = len(fire_many(REQUEST, "complete", SYSTEM, "system", where, values={"summary": summary}))
    if done:
        effects.ask(effects.ANNOUNCE)  # the households are told once this commits
    return done


# -- the validator and the staff's worklist ---------------------------------------------------
def validate_batch(limit: int = 5000, now=None, after: int = 0) -> tuple[int, int]:
    """Decide up to `limit` pending lines of units in timer mode with an id above `after`,
    oldest first, in one transaction. Returns (lines decided, last id seen).

    On PostgreSQL the lines are taken with FOR UPDATE SKIP LOCKED, so two workers take
    disjoint batches; on SQLite the write lock serialises them. Either way a line already
    decided is no longer pending and is never decided twice."""
    with transaction():
        q = (
            line_rows()
            .where(
                RequestLine.state == "pending",
                RequestLine.id > after,
                RequestLine.unit.in_(Unit.select(Unit.id).where(Unit.approval_mode == "timer")),
            )
            .order_by(RequestLine.id)
            .limit(limit)
        )
        if is_postgres():
            q = q.for_update("FOR UPDATE SKIP LOCKED")
        items = line_items(q)
        if items:
            decide(items, SYSTEM, "system", now=now)
    return len(items), (items[-1].id if items else after)


def sweep(batch: int = 5000, now=None, max_batches: int | None = None) -> int:
    """Validate until nothing is pending (each batch its own transaction), then close every
    request left with no pending line. Returns the number of lines decided.

    Each batch starts after the last line of the one before: the index walk never goes back
    over the lines this sweep has decided (a line another worker held is left to the next
    sweep)."""
    total, n, after = 0, 0, 0
    while max_batches is None or n < max_batches:
        decided, after = validate_batch(batch, now=now, after=after)
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
    stale_before = to_utc_naive(now_or(now)) - dt.timedelta(seconds=stale_after)
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


STAFF_DECISIONS = ("accept", "refuse")  # the request line's transitions an approver fires


def may_decide(actor: Actor, decision: str, comment: str = "") -> str | None:
    """None when `actor` may take `decision` on lines of their town (as an approver, the
    transition's roles and its reason required, by REQUEST_LINE), else the refusal code:
    bad_decision, forbidden or reason_required. The worklist asks it before offering or
    taking the decision; staff_decide asks it again."""
    if decision not in STAFF_DECISIONS:
        return "bad_decision"
    return may_fire_many(actor, REQUEST_LINE, decision, "approver", comment)


def staff_decide(actor: Actor, line_ids, decision: str, comment: str = "", now=None) -> dict:
    """An approver accepts (by the rules) or refuses (with a reason) a batch of lines of
    their town."""
    code = may_decide(actor, decision, comment)
    if code == Forbidden.code:
        raise Forbidden("approvers only", code=code)
    if code:
        raise WorkflowError(f"{decision}: {code}", code=code)
    with transaction():
        rows = (
            line_rows()
            .join(Unit, on=RequestLine.unit == Unit.id)
            .join(Service)
            .where(
                RequestLine.id.in_(list(line_ids)),
                RequestLine.state == "pending",
                Service.town == actor.town_id,
            )
        )
        items = line_items(rows)
        if not items:
            return {}
        return decide(
            items,
            actor,
            "approver",
            now=now,
            refuse_comment=comment if decision == "refuse" else None,
        )


def claim_decided_requests(limit: int = 500, now=None) -> list[int]:
    """Requests decided and not yet announced to their household, claimed with one
    conditional UPDATE so that two workers never announce the same request twice."""
    todo = (
        Request.select(Request.id)
        .where(Request.state == "done", Request.notified_at.is_null())
        .order_by(Request.id)
        .limit(limit)
    )
    with transaction():
        return [
            rid
            for (rid,) in Request.update(notified_at=to_utc_naive(now_or(now)))
            .where(Request.id.in_(todo), Request.notified_at.is_null())
            .returning(Request.id)
            .tuples()
            .execute()
        ]
