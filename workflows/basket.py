"""The basket: the cells a parent has chosen and not sent yet (a request in state `basket`
with draft lines, so it survives a closed browser), and sending it (bookings.send_requests).
Every line change goes through the engine: drafts are dropped by REQUEST_LINE's `drop`."""

from __future__ import annotations

from collections import defaultdict

from models import Child, Request, RequestLine, Unit, transaction

from .bookings import CHUNK, insert_lines, send_requests
from .decisions import now_or
from .definitions import REQUEST, REQUEST_LINE
from .engine import Actor, Forbidden, fire, fire_many
from .line_checks import LineProblem, RequestRefused, check_lines, dedupe_lines, owned_children


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
    lines = dedupe_lines(lines)
    owners = owned_children(actor, "parent", [c for c, _, _, _ in lines], household_id)
    if any(h != household_id for h, _ in owners.values()):
        raise Forbidden("child of another household", code="forbidden")
    problems = check_lines(
        actor,
        "parent",
        lines,
        now,
        child_towns={c: t for c, (_, t) in owners.items()},
        households={c: household_id for c in owners},
    )
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
                where = RequestLine.id.in_(stale[i : i + CHUNK])
                fire_many(REQUEST_LINE, "drop", actor, "parent", where)
            insert_lines(rid, child_id, rows, REQUEST_LINE.initial, None)
    return problems


def basket_count(household_id: int) -> int:
    """Lines in the household's basket (the planning counts them with its cells)."""
    return (
        RequestLine.select()
        .join(Request)
        .where(Request.household == household_id, Request.state == "basket")
        .count()
    )


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
    where = RequestLine.id.in_(list(line_ids)) & RequestLine.request.in_(baskets)
    with transaction():
        return len(fire_many(REQUEST_LINE, "drop", actor, "parent", where))


def basket_empty(actor: Actor, household_id: int) -> None:
    for request in Request.select().where(
        Request.household == household_id, Request.state == "basket"
    ):
        with transaction():
            fire(REQUEST, request, "empty", actor, owner=(household_id, None))
            fire_many(REQUEST_LINE, "drop", actor, "parent", RequestLine.request == request.id)


def basket_send(actor: Actor, household_id: int, now=None) -> list[int]:
    """Send the basket: one request per child, all in one transaction. Raises RequestRefused
    (and keeps the basket) when a line can no longer be sent, e.g. its deadline has passed."""
    now = now_or(now)
    if household_id not in actor.household_ids:
        raise Forbidden("not this household", code="forbidden")
    lines = [
        (line.child_id, line.unit_id, line.date, line.action) for line in basket_lines(household_id)
    ]
    problems = check_lines(
        actor, "parent", lines, now, households={c: household_id for c, *_ in lines}
    )
    if problems:
        raise RequestRefused(problems)
    request_ids = list(_basket_ids(household_id).values())
    if not lines:
        return []
    with transaction():
        send_requests(actor, "parent", request_ids, now, {a for *_, a in lines}, drafts=True)
    return sorted(request_ids)
