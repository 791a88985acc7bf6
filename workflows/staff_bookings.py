"""Staff book or cancel a day for a family (on the phone with a parent), through the same
operation as the parent (bookings.submit, as an approver: the history names the staff).
Past the deadline only with the right an admin grants (bookings.PASS_DEADLINE_ROLES): the
line is then decided at once under that right, and its history says so."""

from __future__ import annotations

import datetime as dt

from models import RequestLine, WorkflowHistory, transaction

from .bookings import PASS_DEADLINE_ROLES, RequestSpec, submit
from .decisions import decide, line_items, line_rows, now_or
from .engine import Actor
from .rules import unit_infos, until

LATE_COMMENT = "hors délai (droit accordé)"


def book_for_family(
    actor: Actor, child_id: int, unit_id: int, day: dt.date, action: str, now=None
) -> tuple[int, bool]:
    """Send the change; returns the request's number and whether it passed a deadline.
    RequestRefused (nothing written) when a rule stops it, the deadline included for staff
    without the right."""
    now = now_or(now)
    unit = unit_infos([unit_id]).get(unit_id)
    late = unit is not None and until(unit, action, day, now).passed
    with transaction():
        (number,) = submit(
            actor, [RequestSpec(child_id, [(unit_id, day, action)])], role="approver", now=now
        )
        if late and PASS_DEADLINE_ROLES & actor.staff_roles:
            items = line_items(
                line_rows().where(RequestLine.request == number, RequestLine.state == "pending")
            )
            decide(items, actor, "approver", now=now, may_pass_deadline=True)
            line_ids = [i.id for i in items]
            WorkflowHistory.update(comment=LATE_COMMENT).where(
                (WorkflowHistory.line_id.in_(line_ids))
                | (
                    (WorkflowHistory.workflow == "request_line")
                    & WorkflowHistory.object_id.in_(line_ids)
                )
            ).execute()
    return number, late
