"""Sending requests: the checks a line must pass to be sent, and the send itself, which
moves each line and the booking it asks for. The basket (workflows.basket), the API and
staff acting for a family all send through here; deciding the lines is
workflows.decisions', taking them back workflows.sent_requests'.

Everything goes through the workflow engine with set-based statements: sending a request
is one transaction with a bounded number of statements whatever its size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from peewee import fn

from models import (
    Booking,
    Child,
    Household,
    Request,
    RequestLine,
    Unit,
    database,
    is_postgres,
    transaction,
)

from . import effects, homes, messages
from .calendar import to_utc_naive
from .decisions import complete_requests, decide, line_items, line_rows, now_or
from .definitions import BOOKING, REQUEST, REQUEST_LINE
from .engine import (
    SYSTEM,
    Actor,
    Forbidden,
    WorkflowError,
    creating_state,
    fire_many,
    fire_upsert,
)
from .rules import LineItem, RuleContext

ACTIONS = ("book", "cancel")
SEND = REQUEST_LINE.transition("send")
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
    # Staff booking a shared child: the household named (its file), invoiced for the day.
    household_id: int | None = None


# Who may send a change past its deadline (staff acting for a family): the town's admins,
# and staff an admin granted the right to.
PASS_DEADLINE_ROLES = frozenset({"admin", "late_changes"})


def owned_children(
    actor: Actor, role: str, child_ids, household_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """child id -> (household id, town id), after checking `actor` holds `role` on each. A
    child shared by two homes (workflows.homes) is reached from either: the household is
    the actor's own among them, or `household_id` when it is one of them (staff booking
    from a household's file), else the child's own household."""
    child_ids = set(child_ids)
    rows = (
        Child.select(Child.id, Household.town)
        .join(Household)
        .where(Child.id.in_(list(child_ids)))
        .tuples()
    )
    towns = dict(rows)
    found = homes.homes_of(list(towns))
    owners = {}
    for cid in child_ids:
        if cid not in towns:
            raise Forbidden(f"child {cid} is not within reach of this account", code="forbidden")
        candidates = found[cid]
        if household_id in candidates:
            candidates = [household_id]
        for hid in candidates:
            if role in actor.roles_on(hid, towns[cid]):
                owners[cid] = (hid, towns[cid])
                break
        else:
            raise Forbidden(f"child {cid} is not within reach of this account", code="forbidden")
    return owners


def dedupe_lines(lines):
    """The last word on a cell wins; a line for the same cell twice is one line."""
    seen = {}
    for child_id, unit_id, day, action in lines:
        if action not in ACTIONS:
            raise WorkflowError(f"unknown action {action!r}", code="bad_action")
        seen[(child_id, unit_id, day)] = action
    return [(c, u, d, a) for (c, u, d), a in seen.items()]


def check_lines(
    actor: Actor,
    role: str,
    lines,
    now=None,
    child_towns: dict[int, int] | None = None,
    households: dict[int, int] | None = None,
) -> list[LineProblem]:
    """The problems that would stop `lines` (child, unit, date, action) from being sent now:
    the guards of the booking workflow, and the current state of each cell. A parent only
    books units of their child's town (`child_towns`: child id -> town id, when known).
    `households`: child id -> the household asking (a shared child's days, rules.home_code);
    by default the actor's own among the child's homes."""
    now = now_or(now)
    if not lines:
        return []
    ctx = RuleContext.load(
        {u for _, u, _, _ in lines},
        {c for c, _, _, _ in lines},
        now,
        may_pass_deadline=bool(PASS_DEADLINE_ROLES & actor.staff_roles),
    )
    if households is None:
        households = _asking_households(actor, ctx.custody)
    ctx.child_household = households
    states = _cell_states(lines)
    towns = _towns_of(actor) if role == "parent" and child_towns is None else set()
    problems = []
    for child_id, unit_id, day, action in lines:
        item = LineItem(None, None, child_id, unit_id, day, action, None)
        unit = ctx.units.get(unit_id)
        code = BOOKING.transition(SEND.carried("draft", action)).guard(item, ctx)
        if not code and unit and role == "parent":
            in_town = (
                unit.town_id == child_towns.get(child_id)
                if child_towns is not None
                else unit.town_id in towns
            )
            if not in_town:
                code = "unknown_unit"
        if not code:
            state = states.get((child_id, unit_id, day), "free")
            if action == "book" and state != "free":
                code = "already_booked"
            elif action == "cancel" and state != "booked":
                code = "not_booked"
        if not code and action == "book":
            ctx.hold_exclusive(child_id, unit, day, "requested")  # the batch's next is refused
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


def _asking_households(actor: Actor, shared: dict) -> dict[int, int]:
    """For each shared child, the actor's own household among its two homes."""
    out = {}
    for child_id, patterns in shared.items():
        for hid in (patterns[-1].first, patterns[-1].second):
            if hid in actor.household_ids:
                out[child_id] = hid
    return out


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
