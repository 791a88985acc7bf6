"""Staff book or cancel a day for a family (on the phone with a parent), through the same
operation as the parent (bookings.submit, as an approver: the history names the staff).
Past the deadline only with the right an admin grants (line_checks.PASS_DEADLINE_ROLES): the
line is then decided at once under that right, and its history says so."""

from __future__ import annotations

import datetime as dt

from models import RequestLine, WorkflowHistory, transaction

from .bookings import RequestSpec, submit
from .decisions import decide, line_items, line_rows, now_or
from .engine import Actor
from .line_checks import PASS_DEADLINE_ROLES
from .units import unit_infos, until

LATE_COMMENT = "hors délai (droit accordé)"


def book_for_family(
    actor: Actor,
    child_id: int,
    unit_id: int,
    day: dt.date,
    action: str,
    now=None,
    household_id: int | None = None,
) -> tuple[int, bool]:
    """One day: see `send_for_family`; returns the request's number and whether it passed
    a deadline."""
    number, late = send_for_family(
        actor, child_id, [(unit_id, day, action)], now=now, household_id=household_id
    )
    return number, bool(late)


def send_for_family(
    actor: Actor,
    child_id: int,
    lines: list[tuple[int, dt.date, str]],
    now=None,
    household_id: int | None = None,
) -> tuple[int, int]:
    """Send the changes (unit, day, action) of one child as one request, as the family's
    planning does; returns the request's number and how many lines passed a deadline.
    RequestRefused (nothing written) when a rule stops a line, the deadline included for
    staff without the right. With the right, the late lines are decided at once and their
    history says so; the others wait for the usual decision, like a parent's.
    `household_id`: the household staff send for (its file): a shared child's request is
    that household's, and so is the invoice of its days."""
    now = now_or(now)
    units = unit_infos({u for u, _, _ in lines})
    late = {(u, d, a) for u, d, a in lines if u in units and until(units[u], a, d, now).passed}
    with transaction():
        (number,) = submit(
            actor,
            [RequestSpec(child_id, list(lines), household_id)],
            role="approver",
            now=now,
        )
        if late and PASS_DEADLINE_ROLES & actor.staff_roles:
            items = [
                i
                for i in line_items(
                    line_rows().where(RequestLine.request == number, RequestLine.state == "pending")
                )
                if (i.unit_id, i.date, i.action) in late
            ]
            decide(items, actor, "approver", now=now, may_pass_deadline=True)
            line_ids = [i.id for i in items]
            WorkflowHistory.update(comment=LATE_COMMENT).where(
                (WorkflowHistory.line_id.in_(line_ids))
                | (
                    (WorkflowHistory.workflow == "request_line")
                    & WorkflowHistory.object_id.in_(line_ids)
                )
            ).execute()
    return number, len(late)
