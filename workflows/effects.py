"""What an operation asks for once its transaction has committed: a sweep of the
validator, the delivery of the mail it wrote, a job of its own.

`workflows` names the effect and never imports `jobs`; `jobs` (which imports `workflows`,
not the other way round) says how each effect is carried out, with `handle`, when the app
or a worker starts. An effect asked for inside a transaction that rolls back is dropped
with it; asked twice in one transaction, it runs once."""

from __future__ import annotations

import logging
from collections.abc import Callable

from models import after_commit

log = logging.getLogger(__name__)

_handlers: dict[str, Callable[..., object]] = {}

VALIDATE = "validate"  # pending lines wait for the validator
DELIVER_MAIL = "deliver_mail"  # rows of outgoing_mail wait to be sent
ANNOUNCE = "announce"  # requests were decided: their households are to be told


def handle(name: str, handler: Callable[..., object]) -> None:
    """Say how effect `name` is carried out in this process (the last word wins)."""
    _handlers[name] = handler


def handle_none() -> None:
    """Carry out no effect in this process (a one-shot command run before Redis is up, as
    `demo-data` in `make run`): the timer's periodic jobs do what was asked."""
    _handlers.clear()


def ask(name: str, *args) -> None:
    """Carry out effect `name` after the commit of the current transaction (at once when
    there is none). An effect nobody handles in this process (a shell, a benchmark) is
    only logged: the timer's sweeps catch up with whatever it was for."""
    after_commit(lambda: _run(name, args), key=(name, args))


def _run(name: str, args: tuple) -> None:
    handler = _handlers.get(name)
    if handler is None:
        log.debug("no handler for effect %s in this process", name)
        return
    handler(*args)
