"""One object at a time: may this actor fire this transition (`can`), fire it (`fire`),
create an object by its creating transition (`create`)."""

from __future__ import annotations

from typing import Any

from models import WorkflowHistory, transaction, utcnow

from .model import (
    NEW,
    Actor,
    Conflict,
    Forbidden,
    GuardFailed,
    InvalidTransition,
    Transition,
    Workflow,
)


def _pick_role(t: Transition, held: frozenset[str], wf: Workflow) -> str:
    allowed = held & t.roles
    if not allowed:
        raise Forbidden(f"{wf.name}.{t.name} is not allowed for roles {sorted(held)}")
    return sorted(allowed)[0]


def can(
    actor: Actor,
    wf: Workflow,
    name: str,
    obj: Any,
    *,
    owner: tuple[int | None, int | None],
    context: Any = None,
) -> str | None:
    """None when `actor` may fire `name` on `obj` now, else why not, as a code that
    workflows.messages turns into French words: invalid_transition (not from its state),
    forbidden (not one of the roles), or the guard's own code. Screens ask it to offer an
    action; `fire` asks it again before acting (Indico's can_accept beside accept)."""
    t = wf.transitions.get(name)
    if t is None or obj.state not in t.sources:
        return InvalidTransition.code
    if not actor.roles_on(*owner) & t.roles:
        return Forbidden.code
    if t.guard is not None:
        return t.guard(obj, context)
    return None


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
    code = can(actor, wf, name, obj, owner=owner, context=context)
    if code == InvalidTransition.code:
        raise InvalidTransition(f"{wf.name}.{name} cannot start from {obj.state!r}")
    if code == Forbidden.code:
        raise Forbidden(
            f"{wf.name}.{name} is not allowed for roles {sorted(actor.roles_on(*owner))}"
        )
    if t.needs_comment and not comment.strip():
        raise GuardFailed("a reason is required", code="reason_required")
    if code:
        raise GuardFailed(f"{wf.name}.{name} guard refused: {code}", code=code)
    role = _pick_role(t, actor.roles_on(*owner), wf)
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


def create(
    wf: Workflow,
    name: str,
    actor: Actor,
    *,
    owner: tuple[int | None, int | None],
    values: dict,
    comment: str = "",
) -> Any:
    """Create one object by its workflow's creating transition `name` (from NEW): the role
    is checked, the row is written in the transition's target and its history row beside
    it, in one transaction. Returns the object."""
    t = wf.transition(name)
    if t.sources != (NEW,):
        raise InvalidTransition(f"{wf.name}.{name} does not create")
    role = _pick_role(t, actor.roles_on(*owner), wf)
    now = utcnow()
    with transaction():
        obj = wf.model.create(state=t.target, **values)
        WorkflowHistory.create(
            workflow=wf.name,
            object_id=obj.id,
            transition=name,
            from_state="",
            to_state=t.target,
            actor=actor.account_id,
            role=role,
            at=now,
            comment=comment,
        )
    return obj
