"""Sets of rows at a time, with set-based statements: for the validator, the sends and the
staff's batch actions. On PostgreSQL a firing is one statement (data-modifying WITH
queries); SQLite has no such thing, and runs the same steps one after the other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peewee import EXCLUDED, SQL, Value, fn

from models import WorkflowHistory, database, is_postgres, utcnow

from .model import (
    CHUNK,
    DELETED,
    Actor,
    Forbidden,
    GuardFailed,
    InvalidTransition,
    Transition,
    Workflow,
    WorkflowError,
)


@dataclass(frozen=True)
class Follow:
    """Rows of another table that change with the rows `fire_many` moves: the rows of `model`
    whose id is in the `line` column of a moved row, and that match `where`, get `values`.
    A decision moves a booking, and the request line it answers follows it."""

    model: type
    values: dict
    where: Any = None


class Fired(list):
    """What `fire_many` returns: the (id, line_id) of each row that moved, and in `followed`
    how many rows of its `follow` changed with them."""

    followed: int = 0


def may_fire_many(
    actor: Actor, wf: Workflow, name: str, role: str, comment: str = ""
) -> str | None:
    """None when `actor` may fire `name` set-based as `role` (in the actor's own town, or
    on the actor's own households), else the refusal code: what `fire_many` checks first,
    for a worklist that offers a batch action."""
    try:
        _allowed(wf, name, actor, role, comment)
    except WorkflowError as e:
        return e.code
    return None


def creating_state(wf: Workflow, name: str, actor: Actor, role: str) -> str:
    """The state rows are written in when they are created by transition `name` (from the
    workflow's initial state), once it is known that `actor` may fire it as `role`: lines
    written already sent, in one INSERT, are recorded by the transition they carry."""
    t = _allowed(wf, name, actor, role, "")
    if t.sources != (wf.initial,):
        raise InvalidTransition(f"{wf.name}.{name} does not start from the initial state")
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


def _allowed(
    wf: Workflow, name: str, actor: Actor, role: str, comment: str, any_source: bool = False
) -> Transition:
    """The transition `name`, once it is known that `actor` may fire it set-based as `role`
    (from its single source, unless the caller names the source: `any_source`)."""
    t = wf.transition(name)
    if len(t.sources) != 1 and not any_source:
        raise InvalidTransition(f"{wf.name}.{name}: set-based firing needs a single source")
    held = actor.roles_on(None, actor.town_id) | ({"parent"} if actor.household_ids else set())
    if role not in t.roles or role not in held:
        raise Forbidden(f"{wf.name}.{name} is not allowed for role {role!r}")
    if t.needs_comment and not comment.strip():
        raise GuardFailed("a reason is required", code="reason_required")
    return t


def _changes(model, t: Transition, values: dict | None, now: dt.datetime) -> dict:
    changes = {"state": t.target, **(values or {})}
    if "updated_at" in model._meta.fields:
        changes["updated_at"] = now
    return changes


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
    follow: Follow | None = None,
    history: bool = True,
) -> Fired:
    """Fire `name` on every row matching `where` that is in the transition's source state,
    with one conditional UPDATE ... RETURNING and one bulk history insert, then update the
    rows that `follow` the moved ones. The caller has checked the guards (see `check_many`)
    and holds a transaction. Returns the (id, line_id) of the rows that moved: a row another
    worker moved first is simply not among them.

    On PostgreSQL all of it is one statement (data-modifying WITH queries); SQLite has no
    such thing, and runs the same steps one after the other. `history=False` only where the
    move is recorded by the transition it carries, in the same transaction (a line sent:
    its booking's `request` row names it)."""
    t = _allowed(wf, name, actor, role, comment)
    model = wf.model
    now = at or utcnow()
    if t.target == DELETED:
        # A row deleted leaves no history: a draft nobody sent (see REQUEST_LINE's drop).
        gone = model.delete().where(where & (model.state == t.sources[0])).execute()
        return Fired([None] * gone)
    query = model.update(**_changes(model, t, values, now))
    if from_ is not None:
        query = query.from_(from_)
    query = query.where(where & (model.state == t.sources[0]))
    return _fire(wf, t, query, actor, role, now, comment, follow, history)


def fire_upsert(
    wf: Workflow,
    name: str,
    actor: Actor,
    role: str,
    source,
    fields,
    key,
    *,
    comment: str = "",
    values: dict | None = None,
    at: dt.datetime | None = None,
) -> Fired:
    """`fire_many` for rows that may not exist yet: a row that is not there is in the
    workflow's initial state (a booking not there yet is free), which must be the
    transition's source. `source` selects the values of `fields` for each row, `key` among
    them (a unique index, which says what row it is). One INSERT ... ON CONFLICT (key) DO
    UPDATE ... WHERE state = <initial> writes the rows missing and moves those in the
    initial state; a row in another state is left as it is and is not among those returned.
    Half the writes of inserting the missing rows, then moving them."""
    t = _allowed(wf, name, actor, role, comment)
    if t.sources[0] != wf.initial:
        raise InvalidTransition(f"{wf.name}.{name} does not start from the initial state")
    model = wf.model
    now = at or utcnow()
    fields = list(fields)
    given = {f.name for f in fields}
    extra = {k: v for k, v in _changes(model, t, values, now).items() if k not in given}
    # A row written gets the model's defaults too, as with Model.create; a row moved keeps
    # what it has but for `values`.
    defaults = {
        f.name: f.default() if callable(f.default) else f.default
        for f in model._meta.sorted_fields
        if f.default is not None and not f.primary_key and f.name not in given | set(extra)
    }
    written = {**defaults, **extra}
    columns = [*fields, *(model._meta.fields[k] for k in written)]
    rows = source.clone().select_extend(
        *(Value(v, converter=model._meta.fields[k].db_value) for k, v in written.items())
    )
    keys = {f.name for f in key}  # by name: `field in list` would compare with `==`, a query
    update = {f: getattr(EXCLUDED, f.column_name) for f in fields if f.name not in keys}
    update.update({model._meta.fields[k]: v for k, v in extra.items()})
    query = model.insert_from(rows, columns).on_conflict(
        conflict_target=list(key), update=update, where=(model.state == t.sources[0])
    )
    return _fire(wf, t, query, actor, role, now, comment, None)


def fire_carried(
    wf: Workflow,
    name: str,
    actor: Actor,
    role: str,
    where,
    *,
    source: str,
    action: str,
    at: dt.datetime | None = None,
    comment: str = "",
    values: dict | None = None,
    carried_values: dict | None = None,
) -> Fired:
    """Fire `name` of `wf` (the request line's) from `source` on the lines of `action` that
    own the carried rows matching `where` (bookings), with the carried transition the line's
    declares: the bookings move by it (`carried_values` beside), and their lines follow into
    the line transition's target (`values` beside), in one statement on PostgreSQL. The
    carried workflow's history row, which names the line, records both. Returns the carried
    rows moved; `.followed` is how many lines moved with them."""
    t = _allowed(wf, name, actor, role, comment, any_source=True)
    if source not in t.sources:
        raise InvalidTransition(f"{wf.name}.{name} cannot start from {source!r}")
    carried = t.carried(source, action)
    if carried is None or wf.carries is None:
        raise InvalidTransition(f"{wf.name}.{name} carries nothing from {source!r} ({action})")
    follow = Follow(wf.model, {"state": t.target, **(values or {})}, wf.model.state == source)
    return fire_many(
        wf.carries,
        carried,
        actor,
        role,
        where,
        at=at,
        comment=comment,
        values=carried_values,
        follow=follow,
    )


def _fire(
    wf: Workflow,
    t: Transition,
    query,
    actor: Actor,
    role: str,
    now: dt.datetime,
    comment: str,
    follow: Follow | None,
    record: bool = True,
) -> Fired:
    """Run `query` (an UPDATE or INSERT of the workflow's model that moves rows into the
    transition's target), write the history of the rows it returns (unless `record` is
    False), update their followers."""
    model = wf.model
    has_line = "line" in model._meta.fields
    if not record:
        if follow is not None:
            raise WorkflowError(f"{wf.name}: followers are recorded by their leader's history")
        return Fired((row[0], None) for row in query.returning(model.id).tuples().execute())
    if follow is not None and not has_line:
        raise WorkflowError(f"{wf.name}: rows without a line have nothing to follow them")
    query = query.returning(*((model.id, model.line) if has_line else (model.id,)))
    # What every history row of this firing says, in the order of the INSERT's columns.
    history = {
        "workflow": wf.name,
        "transition": t.name,
        "from_state": t.sources[0],
        "to_state": t.target,
        "actor": actor.account_id,
        "role": role,
        "at": now,
        "comment": comment,
    }
    if is_postgres():
        # One statement: the rows moved feed the followers' UPDATE and the history INSERT
        # in the database, so no row goes through Python (at 5,000 lines a batch, that is
        # most of the cost), in one round trip.
        moved_sql, params = query.sql()
        follow_sql, count = "", ""
        if follow is not None:
            # `= ANY(ARRAY(...))`: an index scan of the followers' primary key, whatever the
            # planner guesses of how many rows moved.
            moved_lines = fn.ARRAY(SQL(f'SELECT moved."{model.line.column_name}" FROM moved'))
            q = follow.model.update(**follow.values).where(follow.model.id == fn.ANY(moved_lines))
            if follow.where is not None:
                q = q.where(follow.where)
            followers_sql, followers_params = q.returning(follow.model.id).sql()
            follow_sql = f", followed AS ({followers_sql})"
            count = ", (SELECT COUNT(*) FROM followed)"
            params = [*params, *followers_params]
        table = WorkflowHistory._meta.table_name
        sql = (
            f"WITH moved AS ({moved_sql}){follow_sql} "
            f'INSERT INTO "{table}" ("workflow", "object_id", "transition", "from_state", '
            '"to_state", "actor_id", "role", "at", "comment", "line_id") '
            "SELECT %s, moved.id, %s, %s, %s, %s, %s, %s, %s, "
            f"{'moved.line_id' if has_line else 'NULL'} FROM moved "
            f'RETURNING "object_id", "line_id"{count}'
        )
        rows = database.execute_sql(sql, [*params, *history.values()]).fetchall()
        fired = Fired((row[0], row[1]) for row in rows)
        if follow is not None and rows:
            fired.followed = rows[0][2]
        return fired
    moved = Fired((row[0], row[1] if has_line else None) for row in query.tuples().execute())
    if moved:
        rows = [{**history, "object_id": obj_id, "line_id": line_id} for obj_id, line_id in moved]
        for i in range(0, len(rows), CHUNK):
            WorkflowHistory.insert_many(rows[i : i + CHUNK]).execute()
    if follow is not None:
        ids = [line_id for _, line_id in moved if line_id is not None]
        for i in range(0, len(ids), CHUNK):  # SQLite caps a statement's parameters
            q = follow.model.update(**follow.values).where(follow.model.id.in_(ids[i : i + CHUNK]))
            if follow.where is not None:
                q = q.where(follow.where)
            moved.followed += q.execute()
    return moved
