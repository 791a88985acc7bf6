"""The engine's vocabulary: workflows, transitions, actors and the refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

CHUNK = 1000  # rows per statement on SQLite, which caps a statement's parameters
Guard = Callable[[Any, Any], "str | None"]  # (item, context) -> refusal code, or None


class WorkflowError(Exception):
    """Base of the engine's refusals; `code` names the reason (see workflows.messages)."""

    code = "workflow_error"

    def __init__(self, message: str, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        if code:
            self.code = code
        self.params = params


class InvalidTransition(WorkflowError):
    code = "invalid_transition"


class Forbidden(WorkflowError):
    code = "forbidden"


class GuardFailed(WorkflowError):
    code = "guard_failed"


class Conflict(WorkflowError):
    """Someone else changed the object first."""

    code = "conflict"


DELETED = "(deleted)"  # the target of a transition that deletes its row (a basket's draft)
NEW = "(new)"  # the source of a transition that creates its row (an enrolment asked for)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    guard: Guard | None = None
    needs_comment: bool = False
    title: str = ""
    # (source state, action) -> the transition of the carried workflow that moves with this
    # one (see Workflow.carries): a line accepted from pending, booking, carries "accept".
    carries: tuple[tuple[tuple[str, str], str], ...] = ()

    def carried(self, source: str, action: str) -> str | None:
        return dict(self.carries).get((source, action))


@dataclass(frozen=True)
class Workflow:
    name: str
    model: type
    states: dict[str, str]  # state -> French title
    initial: str
    transitions: dict[str, Transition] = field(default_factory=dict)
    # The workflow whose transitions this one's carry, reached by the carried model's `line`
    # column (a booking's line is the request line that last moved it).
    carries: Workflow | None = None

    def __post_init__(self) -> None:
        for t in self.transitions.values():
            unknown = set(t.sources + (t.target,)) - set(self.states) - {DELETED, NEW}
            if unknown:
                raise ValueError(f"{self.name}.{t.name}: unknown states {unknown}")
            for _, carried in t.carries:
                if self.carries is None or carried not in self.carries.transitions:
                    raise ValueError(f"{self.name}.{t.name} carries an unknown {carried!r}")

    def transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise InvalidTransition(f"{self.name} has no transition {name!r}") from None

    def available(self, state: str, roles: Iterable[str]) -> list[Transition]:
        """The transitions that `roles` may fire from `state` (guards aside): worklist logic."""
        roles = set(roles)
        return [t for t in self.transitions.values() if state in t.sources and roles & t.roles]


def define(
    name: str,
    model: type,
    states: dict[str, str],
    initial: str,
    transitions,
    carries: Workflow | None = None,
) -> Workflow:
    return Workflow(name, model, states, initial, {t.name: t for t in transitions}, carries)


@dataclass(frozen=True)
class Actor:
    """Who fires a transition: an account (parent or staff) or the system."""

    account_id: int | None
    staff_roles: frozenset[str] = frozenset()
    household_ids: frozenset[int] = frozenset()
    town_id: int | None = None
    is_system: bool = False

    def roles_on(self, household_id: int | None, town_id: int | None) -> frozenset[str]:
        """The roles this actor holds on an object owned by `household_id` in `town_id`."""
        if self.is_system:
            return frozenset({"system"})
        roles = set()
        if household_id is not None and household_id in self.household_ids:
            roles.add("parent")
        if self.staff_roles and town_id is not None and town_id == self.town_id:
            roles |= self.staff_roles
            if "admin" in self.staff_roles:
                roles |= {"approver", "finance", "editor", "reviewer"}
        return frozenset(roles)


SYSTEM = Actor(account_id=None, is_system=True)
