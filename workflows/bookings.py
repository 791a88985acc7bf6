"""Sending requests: the send itself, which moves each line and the booking it asks for
(the checks a line must pass first are workflows/line_checks.py). The basket
(workflows.basket), the API and staff acting for a family all send through here; deciding
the lines is workflows.decisions', taking them back workflows.sent_requests'.

Everything goes through the workflow engine with set-based statements: sending a request
is one transaction with a bounded number of statements whatever its size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from peewee import fn

from models import (
    Booking,
    Request,
    RequestLine,
    Unit,
    database,
    is_postgres,
    transaction,
)

from . import effects, messages
from .calendar import to_utc_naive
from .decisions import complete_requests, decide, line_items, line_rows, now_or
from .definitions import BOOKING, REQUEST, REQUEST_LINE
from .engine import (
    SYSTEM,
    Actor,
    WorkflowError,
    creating_state,
    fire_many,
    fire_upsert,
)
from .line_checks import (
    SEND,
    LineProblem,
    RequestRefused,
    RequestSpec,
    check_lines,
    dedupe_lines,
    owned_children,
)

CHUNK = 1000


def insert_lines(request_id, child_id, rows, state, sent_at) -> None:
    if is_postgres():
        # One statement, the lines' units, dates and actions as three array parameters:
        # writing out and binding nine parameters for each of a school year's 140 lines
        # cost peewee more than the INSERT costs the database.
        units, days, actions = zip(*rows, strict=True) if rows else ((), (), ())
        database.execute_sql(
            f'INSERT INTO "{RequestLine._meta.table_name}" ("request_id", "child_id", '
            '"unit_id", "date", "action", "state", "sent_at", "reason_code", "reason") '
            "SELECT %s, %s, u, d, a, %s, %s, '', '' "
            "FROM unnest(%s::integer[], %s::date[], %s::varchar[]) AS line(u, d, a)",
            (request_id, child_id, state, sent_at, list(units), list(days), list(actions)),
        )
        return
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


def submit(actor: Actor, specs: list[RequestSpec], role: str = "parent", now=None) -> list[int]:
    """Create and send requests in one go (the API, and a parent booking several children)."""
    now = now_or(now)
    named = {s.household_id for s in specs if s.household_id is not None}
    owners = owned_children(
        actor, role, [s.child_id for s in specs], named.pop() if len(named) == 1 else None
    )
    all_lines = dedupe_lines([(s.child_id, u, d, a) for s in specs for u, d, a in s.lines])
    if not all_lines:
        raise WorkflowError("a request needs at least one line", code="empty_request")
    problems = check_lines(
        actor,
        role,
        all_lines,
        now,
        child_towns={c: t for c, (_, t) in owners.items()},
        households={c: h for c, (h, _) in owners.items()},
    )
    if problems:
        raise RequestRefused(problems)
    by_child = defaultdict(list)
    for c, u, d, a in all_lines:
        by_child[c].append((u, d, a))
    sent = creating_state(REQUEST_LINE, "send", actor, role)
    with transaction():
        request_ids = []
        for child_id, rows in by_child.items():
            rid = Request.insert(household=owners[child_id][0], child=child_id).execute()
            # Written already sent (pending), in one INSERT: the engine says in what state
            # a line created by `send` is, and its booking's `request` row records it.
            insert_lines(rid, child_id, rows, sent, to_utc_naive(now))
            request_ids.append(rid)
        send_requests(
            actor, role, request_ids, now, {a for *_, a in all_lines}, pending=len(all_lines)
        )
        taken = _taken_meanwhile(request_ids)
        if len(taken) == len(all_lines):
            # Every cell was taken between the checks and the send (the losers of a race):
            # nothing is sent, and the caller hears why, as for a refusal before sending.
            raise RequestRefused(taken)
    return request_ids


def _taken_meanwhile(request_ids) -> list[LineProblem]:
    """The lines of `request_ids` refused at sending because their cell was taken."""
    rows = (
        RequestLine.select(
            RequestLine.child, RequestLine.unit, RequestLine.date, RequestLine.action
        )
        .where(
            RequestLine.request.in_(request_ids),
            RequestLine.state == "refused",
            RequestLine.reason_code.in_(["already_booked", "not_booked"]),
        )
        .tuples()
    )
    return [
        LineProblem(c, u, d, a, code, messages.reason_fr(code), messages.reason_en(code))
        for c, u, d, a in rows
        for code in ["already_booked" if a == "book" else "not_booked"]
    ]


def send_requests(
    actor: Actor,
    role: str,
    request_ids: list[int],
    now: dt.datetime,
    actions: set[str],
    drafts: bool = False,
    pending: int | None = None,
) -> None:
    """Inside a transaction: basket -> sent, lines draft -> pending (`drafts`), and each
    line's booking free -> requested (or booked -> cancel_requested), all set-based, with
    no statement for an action none of the lines has. `pending`: how many lines of the
    requests are pending, when the caller has just written them."""
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
    if drafts:
        # The booking's `request` row, written below, names each line: it records this too.
        pending = len(
            fire_many(
                REQUEST_LINE,
                "send",
                actor,
                role,
                RequestLine.request.in_(request_ids),
                values={"sent_at": sent_at},
                history=False,
            )
        )
    comment = f"request {','.join(map(str, request_ids[:20]))}"
    values = {"refusal_code": "", "refusal_reason": "", "rank": None}
    pending_lines = RequestLine.request.in_(request_ids) & (RequestLine.state == "pending")
    moved = 0
    if "book" in actions:
        # The booking of every cell a line books, free -> requested, written where there is
        # none yet (a cell nobody has booked has no row: it is free).
        cells = [Booking.child, Booking.unit, Booking.date]
        moved += len(
            fire_upsert(
                BOOKING,
                SEND.carried("draft", "book"),
                actor,
                role,
                RequestLine.select(
                    RequestLine.child, RequestLine.unit, RequestLine.date, RequestLine.id
                ).where(pending_lines & (RequestLine.action == "book")),
                [*cells, Booking.line],
                cells,
                values=values,
                comment=comment,
            )
        )
    if "cancel" in actions:
        # UPDATE booking ... FROM request_line: driven by the request's lines and the
        # booking's unique (child, unit, date) index, whatever the size of the tables.
        own = (
            pending_lines
            & (RequestLine.action == "cancel")
            & (RequestLine.child == Booking.child)
            & (RequestLine.unit == Booking.unit)
            & (RequestLine.date == Booking.date)
        )
        moved += len(
            fire_many(
                BOOKING,
                SEND.carried("draft", "cancel"),
                actor,
                role,
                own,
                from_=RequestLine,
                values={"line": RequestLine.id, **values},
                comment=comment,
            )
        )
    # Lines whose cell was taken meanwhile (fifty identical requests at once): refused now.
    # There are some only if fewer bookings moved than lines are pending.
    owned = Booking.select(Booking.id).where(Booking.line == RequestLine.id)
    taken = 0
    for action, code in (("book", "already_booked"), ("cancel", "not_booked")):
        if action not in actions or (pending is not None and moved >= pending):
            continue
        reason = messages.reason_fr(code)
        taken += len(
            fire_many(
                REQUEST_LINE,
                "refuse",
                SYSTEM,
                "system",
                RequestLine.request.in_(request_ids)
                & (RequestLine.action == action)
                & ~fn.EXISTS(owned),
                at=sent_at,
                comment=reason,
                values={"reason_code": code, "reason": reason, "decided_at": sent_at},
            )
        )
    effects.ask(effects.VALIDATE)  # the validator decides the timer's lines once this commits
    instant = line_items(
        line_rows()
        .join(Unit, on=RequestLine.unit == Unit.id)
        .where(
            RequestLine.request.in_(request_ids),
            RequestLine.state == "pending",
            Unit.approval_mode == "instant",
        )
    )
    if instant:
        decide(instant, SYSTEM, "system", now=now)  # closes its requests when all is decided
    elif taken:
        complete_requests(request_ids)
