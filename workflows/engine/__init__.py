"""A small declarative workflow engine, in the manner of Plone's DCWorkflow.

A workflow is data: states, transitions (sources, target, the roles that may fire them, a
guard) and the model whose `state` column it drives. Firing a transition checks the role and
the guard, changes the state with a conditional UPDATE (the row count says who won), and
writes a history row, all in one transaction. `fire_many` does the same for a set of rows
with set-based statements, for the validator and the staff's batch actions, and
`fire_upsert` also writes the rows not there yet (a booking nobody has asked for is free).

A workflow's transition may carry another workflow's (a request line's `accept` carries
its booking's `accept`): `fire_carried` moves both in one statement where the database
allows it, and the carried workflow's history row, which names the line, records both.
`can` answers "may this actor fire this transition on this object now", for the screens,
before `fire` does it.
"""

from .model import (
    CHUNK,
    DELETED,
    NEW,
    SYSTEM,
    Actor,
    Conflict,
    Forbidden,
    GuardFailed,
    InvalidTransition,
    Transition,
    Workflow,
    WorkflowError,
    define,
)
from .sets import (
    Fired,
    Follow,
    check_many,
    creating_state,
    fire_carried,
    fire_many,
    fire_upsert,
    may_fire_many,
)
from .single import can, create, fire

__all__ = [
    "CHUNK",
    "DELETED",
    "NEW",
    "SYSTEM",
    "Actor",
    "Conflict",
    "Fired",
    "Follow",
    "Forbidden",
    "GuardFailed",
    "InvalidTransition",
    "Transition",
    "Workflow",
    "WorkflowError",
    "can",
    "check_many",
    "create",
    "creating_state",
    "define",
    "fire",
    "fire_carried",
    "fire_many",
    "fire_upsert",
    "may_fire_many",
]
