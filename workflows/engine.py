"""A small declarative workflow engine, in the manner of Plone's DCWorkflow.

A workflow is data: states, transitions (sources, target, the roles that may fire them, a
guard) and the model whose `state` column it drives. Firing a transition checks the role and
the guard, changes the state with a conditional UPDATE (the row count says who won), and
writes a history row, all in one transaction. `fire_many` does the same for a set of rows
with set-based statements, for the validator and the staff's batch actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from models import WorkflowHistory, database, is_postgres, transaction, utcnow

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


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    guard: Guard | None = None
    needs_comment: bool = False
    title: str = ""


@dataclass(frozen=True)
class Workflow:
    name: str
    model: type
    states: dict[str, str]  # state -> French title
    initial: str
    transitions: dict[str, Transition] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for t in self.transitions.values():
            unknown = set(t.sources + (t.target,)) - set(self.states)
            if unknown:
                raise ValueError(f"{self.name}.{t.name}: unknown states {unknown}")

    def transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise InvalidTransition(f"{self.name} has no transition {name!r}") from None

    def available(self, state: str, roles: Iterable[str]) -> list[Transition]:
        """The transitions that `roles` may fire from `state` (guards aside): worklist logic."""
        roles = set(roles)
        return [t for t in self.transitions.values() if state in t.sources and roles & t.roles]


def define(name: str, model: type, states: dict[str, str], initial: str, transitions) -> Workflow:
    return Workflow(name, model, states, initial, {t.name: t for t in transitions})


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


def _pick_role(t: Transition, held: frozenset[str], wf: Workflow) -> str:
    allowed = held & t.roles
    if not allowed:
        raise Forbidden(f"{wf.name}.{t.name} is not allowed for roles {sorted(held)}")
    return sorted(allowed)[0]


def fire(
    wf: Workflow,
    obj: Any,
    name: str,
    actor: Actor,
    *,
    owner: tuple[int | None, int | None],
    context: Any = None,
    comment: str = "",
    values: dict | None = None,
    line_id: int | None = None,
) -> str:
    """Fire one transition on one object. `owner` is (household_id, town_id) of the object."""
    t = wf.transition(name)
    if obj.state not in t.sources:
        raise InvalidTransition(f"{wf.name}.{name} cannot start from {obj.state!r}")
    role = _pick_role(t, actor.roles_on(*owner), wf)
    if t.needs_comment and not comment.strip():
        raise GuardFailed("a reason is required", code="reason_required")
    if t.guard is not None:
        code = t.guard(obj, context)
        if code:
            raise GuardFailed(f"{wf.name}.{name} guard refused: {code}", code=code)
    model = wf.model
    source = obj.state
    now = utcnow()
    with transaction():
        changes = {"state": t.target, **(values or {})}
        if "updated_at" in model._meta.fields:
            changes["updated_at"] = now
        n = model.update(**changes).where(model.id == obj.id, model.state == source).execute()
        if n != 1:
            raise Conflict(f"{wf.name}#{obj.id} changed meanwhile")
        WorkflowHistory.create(
            workflow=wf.name,
            object_id=obj.id,
            transition=name,
            from_state=source,
            to_state=t.target,
            actor=actor.account_id,
            role=role,
            at=now,
            comment=comment,
            line_id=line_id,
        )
    obj.state = t.target
    for k, v in (values or {}).items():
        setattr(obj, k, v)
    return t.target


def check_many(wf: Workflow, name: str, items: Iterable[Any], context: Any = None):
    """Split `items` into those the transition's guard lets through and those it refuses,
    the latter as (item, code) pairs."""
    t = wf.transition(name)
    ok, refused = [], []
    for item in items:
        code = t.guard(item, context) if t.guard else None
        if code:
            refused.append((item, code))
        else:
            ok.append(item)
    return ok, refused


def fire_many(
    wf: Workflow,
    name: str,
    actor: Actor,
    role: str,
    where,
    *,
    comment: str = "",
    values: dict | None = None,
    at: dt.datetime | None = None,
    from_=None,
) -> list[tuple[int, int | None]]:
    """Fire `name` on every row matching `where` that is in the transition's source state,
    with one conditional UPDATE ... RETURNING and one bulk history insert. The caller has
    checked the guards (see `check_many`) and holds a transaction. Returns the (id, line_id)
    of the rows that moved: a row another worker moved first is simply not among them."""
    t = wf.transition(name)
    if len(t.sources) != 1:
        raise InvalidTransition(f"{wf.name}.{name}: set-based firing needs a single source")
    held = actor.roles_on(None, actor.town_id) | ({"parent"} if actor.household_ids else set())
    if role not in t.roles or role not in held:
        raise Forbidden(f"{wf.name}.{name} is not allowed for role {role!r}")
    if t.needs_comment and not comment.strip():
        raise GuardFailed("a reason is required", code="reason_required")
    model = wf.model
    now = at or utcnow()
    changes = {"state": t.target, **(values or {})}
    if "updated_at" in model._meta.fields:
        changes["updated_at"] = now
    has_line = "line" in model._meta.fields
    returning = (model.id, model.line) if has_line else (model.id,)
    query = model.update(**changes)
    if from_ is not None:
        query = query.from_(from_)
    query = query.where(where & (model.state == t.sources[0])).returning(*returning)
    if is_postgres():
        # One statement: the UPDATE ... RETURNING feeds the history INSERT in the database,
        # so no row goes through Python (at 5,000 lines a batch, that is most of the cost).
        update_sql, params = query.sql()
        history = WorkflowHistory._meta.table_name
        sql = (
            f"WITH moved AS ({update_sql}) "
            f'INSERT INTO "{history}" ("workflow", "object_id", "transition", "from_state", '
            '"to_state", "actor_id", "role", "at", "comment", "line_id") '
            "SELECT %s, moved.id, %s, %s, %s, %s, %s, %s, %s, "
            f"{'moved.line_id' if has_line else 'NULL'} FROM moved "
            'RETURNING "object_id", "line_id"'
        )
        cursor = database.execute_sql(
            sql,
            [*params, wf.name, name, t.sources[0], t.target, actor.account_id, role, now, comment],
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]
    moved = [(row[0], row[1] if has_line else None) for row in query.tuples().execute()]
    if moved:
        rows = [
            {
                "workflow": wf.name,
                "object_id": obj_id,
                "transition": name,
                "from_state": t.sources[0],
                "to_state": t.target,
                "actor": actor.account_id,
                "role": role,
                "at": now,
                "comment": comment,
                "line_id": line_id,
            }
            for obj_id, line_id in moved
        ]
        for i in range(0, len(rows), 1000):
            WorkflowHistory.insert_many(rows[i : i + 1000]).execute()
    return moved
