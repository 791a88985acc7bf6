"""The admission gate: a portal that cannot answer in time says so at once.

Each web process lets a few requests work at a time (`GATE_SLOTS`); the others wait for a
slot, in order of priority (a parent sending their days first, then logins, pages, and the
pages' background polls last), each no longer than its kind's wait. One that would wait
longer is answered at once with 503 and a Retry-After header, in French on pages and in
JSON under /api/, instead of joining a queue in which every parent waits thirty seconds
for a timeout. Nothing is lost: a refused request did nothing, and the parent's retry (a
send carries its Idempotency-Key) is answered as if it were the first.

It sits in front of Flask (a WSGI middleware): a refusal costs no session, no database,
no template of the app. gunicorn's threads (config/gunicorn.py) take connections as they
come, so the wait happens here, where it is bounded, not in a listen queue where it is
not."""

from __future__ import annotations

import itertools
import json
import logging
import random
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Template
from werkzeug.wsgi import ClosingIterator

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    name: str
    priority: int  # smaller goes first
    wait: float  # seconds it may wait for a slot


SEND = Kind("send", 0, 0.8)
LOGIN = Kind("login", 1, 0.8)
PAGE = Kind("page", 2, 0.5)
POLL = Kind("poll", 3, 0.2)

_SENDS = {"/panier/confirmer", "/api/v1/requests"}
# the password, then the second factor (its code, or its enrolment), are both logins
_LOGINS = {
    "/connexion",
    "/connexion/code",
    "/connexion/double-authentification",
    "/api/v1/auth/token",
}
_POLLS = re.compile(r"^/(api/v1/requests/\d+|enfants/\d+/planning\.json|demandes/\d+\.json)$")


def kind_of(method: str, path: str) -> Kind | None:
    """What a request is, for the gate; None for what passes without a slot (static files,
    which the reverse proxy serves in production anyway)."""
    if path.startswith("/static/"):
        return None
    if method == "POST":
        if path in _SENDS:
            return SEND
        if path in _LOGINS:
            return LOGIN
    if method in ("GET", "HEAD") and _POLLS.match(path):
        return POLL
    return PAGE


class _Ticket:
    __slots__ = ("priority", "arrival", "event", "state")

    def __init__(self, priority: int, arrival: int) -> None:
        self.priority, self.arrival = priority, arrival
        self.event = threading.Event()
        self.state = "waiting"  # then granted, evicted or gone

    @property
    def rank(self) -> tuple[int, int]:
        return (self.priority, self.arrival)


class Slots:
    """`size` slots shared by the threads of one process. A thread asks for one with its
    kind and gets it at once, or waits for one, at most its kind's wait, in a queue of at
    most `queue` threads, by priority then arrival. A freed slot goes straight to the first
    in line. When the queue is full, a newcomer of a higher priority takes the place of the
    last in line (a send pushes out a poll), and any other newcomer is turned away at once:
    a refusal never waits behind other refusals."""

    def __init__(self, size: int, queue: int | None = None) -> None:
        self.free = size
        self.queue = size * 2 if queue is None else queue
        self._lock = threading.Lock()
        self._waiting: list[_Ticket] = []
        self._arrival = itertools.count()

    def take(self, kind: Kind) -> bool:
        with self._lock:
            if self.free > 0 and not self._waiting:
                self.free -= 1
                return True
            if kind.wait <= 0 or self.queue <= 0:
                return False
            if len(self._waiting) >= self.queue:
                last = max(self._waiting, key=lambda t: t.rank)
                if last.priority <= kind.priority:
                    return False
                self._waiting.remove(last)
                last.state = "evicted"
                last.event.set()
            ticket = _Ticket(kind.priority, next(self._arrival))
            self._waiting.append(ticket)
        ticket.event.wait(kind.wait)
        with self._lock:
            if ticket.state == "granted":
                return True
            if ticket.state == "waiting":
                self._waiting.remove(ticket)
                ticket.state = "gone"
            return False

    def give_back(self) -> None:
        with self._lock:
            if self._waiting:
                first = min(self._waiting, key=lambda t: t.rank)
                self._waiting.remove(first)
                first.state = "granted"
                first.event.set()
            else:
                self.free += 1

    @property
    def waiting(self) -> int:
        return len(self._waiting)


BUSY_PAGE = Template(
    (Path(__file__).resolve().parent.parent / "templates" / "busy.html").read_text("utf-8")
)


class Gate:
    """WSGI middleware: take a slot, or answer 503 at once."""

    def __init__(
        self,
        app: Callable,
        slots: int,
        retry_after: int = 10,
        waits: dict[str, float] | None = None,
        queue: int | None = None,
    ) -> None:
        self.app = app
        self.slots = Slots(slots, queue)
        self.retry_after = retry_after
        self.kinds = {
            k.name: Kind(k.name, k.priority, (waits or {}).get(k.name, k.wait))
            for k in (SEND, LOGIN, PAGE, POLL)
        }
        self.refused = 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        kind = kind_of(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""))
        if kind is None:
            return self.app(environ, start_response)
        if not self.slots.take(self.kinds[kind.name]):
            self.refused += 1
            return self._busy(environ, start_response, kind)
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.slots.give_back()
            raise
        return ClosingIterator(body, [self.slots.give_back])

    def _busy(self, environ: dict, start_response: Callable, kind: Kind) -> list[bytes]:
        # Spread the retries over twice the base, so they do not all come back at once.
        seconds = self.retry_after + random.randint(0, self.retry_after)
        if self.refused % 100 == 1:
            log.warning(
                "busy: %s %s refused (%d so far)", kind.name, environ["PATH_INFO"], self.refused
            )
        if environ.get("PATH_INFO", "").startswith("/api/") or kind is POLL:
            body = json.dumps(
                {
                    "error": "overloaded",
                    "message": f"The portal is busy; retry after {seconds} seconds.",
                    "retry_after": seconds,
                }
            ).encode()
            ctype = "application/json"
        else:
            body = BUSY_PAGE.render(seconds=seconds).encode()
            ctype = "text/html; charset=utf-8"
        start_response(
            "503 Service Unavailable",
            [
                ("Content-Type", ctype),
                ("Content-Length", str(len(body))),
                ("Retry-After", str(seconds)),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]


def init_app(app) -> None:
    """Put the gate in front of the app: GATE_SLOTS requests at work per process (0 turns
    every request away, which is how tests simulate an overload), GATE_QUEUE of them
    waiting at most, GATE_RETRY_AFTER the base of the Retry-After answered."""
    slots = app.config["GATE_SLOTS"]
    if slots is None:
        return
    app.wsgi_app = Gate(
        app.wsgi_app, slots, app.config["GATE_RETRY_AFTER"], queue=app.config["GATE_QUEUE"]
    )
