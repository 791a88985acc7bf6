"""Redis connection and queue, shared by the web side, the worker and the timer."""

from __future__ import annotations

from redis import Redis
from rq import Queue


def redis_from_url(url: str) -> Redis:
    return Redis.from_url(url)


def queue_for(config) -> Queue:
    return Queue(config.QUEUE_NAME, connection=redis_from_url(config.REDIS_URL))


def enqueue_validation(config) -> None:
    """Ask for a sweep now (after the request's commit). The timer sweeps anyway; a Redis
    that is down must not lose a parent's request, so errors are logged, not raised."""
    import logging

    from .validator import validate_pending

    try:
        queue_for(config).enqueue(validate_pending, job_timeout=3600, result_ttl=60)
    except Exception:  # noqa: BLE001 - the database holds the request; the timer will sweep
        logging.getLogger(__name__).warning("could not enqueue validation", exc_info=True)
