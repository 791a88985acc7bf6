"""Redis connection and queue, shared by the web side, the worker and the timer."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from redis import Redis
from rq import Queue

log = logging.getLogger(__name__)


def setting(config, key: str):
    """Read a setting from a Flask config (a mapping) or a config object alike."""
    return config[key] if isinstance(config, Mapping) else getattr(config, key)


def redis_from_url(url: str) -> Redis:
    return Redis.from_url(url)


def queue_for(config) -> Queue:
    return Queue(
        setting(config, "QUEUE_NAME"), connection=redis_from_url(setting(config, "REDIS_URL"))
    )


def enqueue_validation(config) -> None:
    """Ask for a sweep now (call it after the request's commit). The timer sweeps anyway, so
    a Redis that is down must not lose a parent's request: errors are logged, not raised."""
    from .validator import validate_pending

    try:
        queue_for(config).enqueue(validate_pending, job_timeout=3600, result_ttl=60)
    except Exception:  # noqa: BLE001 - the database holds the request; the timer will sweep
        log.warning("could not enqueue validation", exc_info=True)
