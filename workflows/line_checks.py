"""The checks a line must pass to be sent (owned children, open cells, the rules at
sending), and how a refusal is told: for the send (workflows/bookings.py), the basket and
staff acting for a family alike."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from models import (
    Booking,
    Child,
    Household,
)

from . import homes, messages
from .decisions import now_or
from .definitions import BOOKING, REQUEST_LINE
from .engine import (
    Actor,
    Forbidden,
    WorkflowError,
)
from .rules import LineItem, RuleContext

ACTIONS = ("book", "cancel")
SEND = REQUEST_LINE.transition("send")


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
