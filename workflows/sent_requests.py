"""A household's sent requests: reading them (the request pages, the API, their polls), and
a parent taking back booking lines still waiting for a decision."""

from __future__ import annotations

from peewee import fn

from models import Booking, Child, Request, RequestLine, Unit, among, transaction

from . import french, messages, words
from .calendar import to_utc_naive
from .decisions import complete_requests, decided, line_items, line_rows, now_or
from .definitions import BOOKING, REQUEST_LINE
from .engine import Actor, Forbidden, check_many, fire_carried
from .rules import RuleContext

WITHDRAW = {"verb": "retirer ce jour"}  # "Délai dépassé : il fallait retirer ce jour avant le …"


def withdrawable(line: RequestLine) -> bool:
    """Whether the workflow lets the parent take the line back from where it stands (the
    booking deadline is checked when they do)."""
    return line.action == "book" and bool(
        REQUEST_LINE.available(line.state, {"parent"})
        and REQUEST_LINE.transition("withdraw").carried(line.state, line.action)
    )


def withdraw_lines(actor: Actor, household_id: int, line_ids, now=None) -> tuple[int, list]:
    """A parent takes back booking lines of their household still waiting for a decision
    (pending, or on the waiting list), before the booking deadline: each booking is free
    again and the line reads 'withdrawn'. Returns how many were withdrawn and the refused
    ones as (line id, French reason)."""
    now = now_or(now)
    if household_id not in actor.household_ids:
        raise Forbidden("not this household", code="forbidden")
    at = to_utc_naive(now)

    def lines(state):
        return line_items(
            line_rows()
            .join(Request, on=RequestLine.request == Request.id)
            .where(
                RequestLine.id.in_(list(line_ids)),
                Request.household == household_id,
                RequestLine.action == "book",
                RequestLine.state == state,
            )
        )

    with transaction():
        pending, waiting = lines("pending"), lines("queued")
        items = pending + waiting
        late = _already_decided(household_id, line_ids)
        if not items:
            return 0, late
        ctx = RuleContext.load({i.unit_id for i in items}, {i.child_id for i in items}, now)
        withdraw = REQUEST_LINE.transition("withdraw")
        # Each line by the guard of the booking transition it carries (withdraw, or
        # leave_waiting for a queued line): the rule the planning reads (parent_may).
        ok, refused = check_many(BOOKING, withdraw.carried("pending", "book"), pending, ctx)
        ok_waiting, refused_waiting = check_many(
            BOOKING, withdraw.carried("queued", "book"), waiting, ctx
        )
        refused += refused_waiting
        n = 0
        for source, items_ in (("pending", ok), ("queued", ok_waiting)):
            if items_:
                n += fire_carried(
                    REQUEST_LINE,
                    "withdraw",
                    actor,
                    "parent",
                    among(Booking.line, [i.id for i in items_]),
                    source=source,
                    action="book",
                    at=at,
                    values=decided(at, actor),
                ).followed
        complete_requests({i.request_id for i in items})
    problems = [
        (item.id, messages.reason_fr(code, **{**ctx.reason_params(item, code), **WITHDRAW}))
        for item, code in refused
    ]
    return n, late + problems


def _already_decided(household_id: int, line_ids) -> list[tuple[int, str]]:
    """The asked-for lines that were decided meanwhile, each with why it stays."""
    rows = (
        RequestLine.select(RequestLine.id, RequestLine.date, RequestLine.state)
        .join(Request, on=RequestLine.request == Request.id)
        .where(
            RequestLine.id.in_(list(line_ids)),
            Request.household == household_id,
            RequestLine.state.in_(["accepted", "refused", "withdrawn"]),
        )
        .tuples()
    )
    return [
        (
            line_id,
            f"Le {french.day(day, weekday=True)} n'a pas été retiré : la demande a déjà été "
            f"traitée ({words.in_sentence('request_line', state)}).",
        )
        for line_id, day, state in rows
    ]


def request_version(req: Request) -> str:
    """A tag that changes whenever the request or one of its lines changes state."""
    n, last = (
        RequestLine.select(fn.COUNT(RequestLine.id), fn.MAX(RequestLine.decided_at))
        .where(RequestLine.request == req.id, RequestLine.state != "pending")
        .tuples()
        .get()
    )
    return f"r{req.id}-{req.state}-{req.summary}-{n}-{last or 0}"


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
