"""Redis, the queue, and the one way to enqueue a job. It imports no job: each job module
imports it (no cycle), and `install` tells workflows.effects how the effects it names are
carried out (a sweep of the validator, the delivery of mail).

A job asked for on demand is coalesced: a flag in Redis says one is queued and not
started yet, so a thousand sends in a second queue one sweep, not a thousand. The job
clears the flag when it starts, so a send after that start queues exactly one more (its
lines may have come after the sweep read the pending ones). The database stays the source
of truth: the timer's periodic jobs catch whatever a lost job or a Redis outage left."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from redis import Redis
from rq import Queue

from workflows import effects

log = logging.getLogger(__name__)
FLAG_TTL = 300  # seconds: a flag whose job was lost before it started cannot block for long


def setting(config, key: str):
    """Read a setting from a Flask config (a mapping) or a config object alike."""
    return config[key] if isinstance(config, Mapping) else getattr(config, key)


_connections: dict[str, Redis] = {}


def redis_from_url(url: str) -> Redis:
    """One client (and its connection pool) per URL and process."""
    conn = _connections.get(url)
    if conn is None:
        conn = _connections[url] = Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30
        )
    return conn


def queue_for(config) -> Queue:
    return Queue(
        setting(config, "QUEUE_NAME"), connection=redis_from_url(setting(config, "REDIS_URL"))
    )


def enqueue(config, func, *args, **options):
    """Enqueue `func(*args)` (call it after the commit: see workflows.effects). Returns the
    job, or None when Redis is unreachable: logged, never raised, because what the job is
    for is in the database and a periodic job or a retry will find it."""
    options.setdefault("job_timeout", 600)
    options.setdefault("result_ttl", 300)
    try:
        return queue_for(config).enqueue(func, *args, **options)
    except Exception:  # noqa: BLE001 - Redis down: the page answers the same
        log.error("could not enqueue %s", getattr(func, "__name__", func), exc_info=True)
        return None


def _flag(config, name: str) -> str:
    return f"portail:{setting(config, 'QUEUE_NAME')}:asked:{name}"


def enqueue_once(config, name: str, func, *args, **options):
    """Enqueue `func` unless a job asked for under `name` is queued and not started yet.
    Returns the job, or None when one was already waiting (or Redis is unreachable)."""
    try:
        conn = redis_from_url(setting(config, "REDIS_URL"))
        if not conn.set(_flag(config, name), 1, nx=True, ex=FLAG_TTL):
            return None
    except Exception:  # noqa: BLE001 - see enqueue
        log.error("could not ask for %s", name, exc_info=True)
        return None
    job = enqueue(config, func, *args, **options)
    if job is None:
        _clear(config, name)
    return job


def started(config, name: str) -> None:
    """A coalesced job calls this as it starts: what is asked for from now on needs a run of
    its own."""
    _clear(config, name)


def _clear(config, name: str) -> None:
    try:
        redis_from_url(setting(config, "REDIS_URL")).delete(_flag(config, name))
    except Exception:  # noqa: BLE001 - the flag expires by itself
        log.warning("could not clear the flag of %s", name, exc_info=True)


# Effect -> the job that carries it out, by dotted path (rq imports it in the worker; this
# module imports no job) and its timeout.
EFFECT_JOBS = {
    effects.VALIDATE: ("jobs.validator.validate_pending", 3600),
    effects.ANNOUNCE: ("jobs.notifications.notify_decided_requests", 600),
    effects.DELIVER_MAIL: ("jobs.mail.deliver_outgoing", 1800),
}


def install(config) -> None:
    """Carry out the effects workflows ask for, in this process, with `config`'s Redis: each
    queues its coalesced job."""
    for name, (path, timeout) in EFFECT_JOBS.items():
        effects.handle(
            name,
            lambda name=name, path=path, timeout=timeout: enqueue_once(
                config, name, path, job_timeout=timeout
            ),
        )
