"""The validator: sweeps pending lines of timer-mode units in batches."""

from __future__ import annotations

import logging
import time

from workflows import effects
from workflows.decisions import sweep

from .context import job_database
from .monitor import record_validator_run
from .queue import redis_from_url, setting, started

log = logging.getLogger(__name__)


def _keep_the_gap(cfg) -> None:
    """Start no sooner than VALIDATE_GAP seconds after the last sweep started: while this
    job waits it is still "queued, not started", so the sends of that second ask for no
    other sweep and share this one."""
    gap = setting(cfg, "VALIDATE_GAP")
    if gap <= 0:
        return
    key = f"portail:{setting(cfg, 'QUEUE_NAME')}:last-sweep"
    try:
        conn = redis_from_url(setting(cfg, "REDIS_URL"))
        last = conn.get(key)
        wait = float(last) + gap - time.time() if last else 0
        if 0 < wait <= gap:
            time.sleep(wait)
        conn.set(key, repr(time.time()), ex=3600)
    except Exception:  # noqa: BLE001 - Redis away: sweep now, the database decides
        log.warning("could not read the last sweep's start", exc_info=True)


def validate_pending(batch: int | None = None) -> int:
    """Decide every pending line of timer-mode units. Safe to run twice or in two workers at
    once: each batch takes its lines under lock and only pending lines are decided. The
    households are told by the job the decisions ask for once they commit."""
    with job_database() as cfg:
        _keep_the_gap(cfg)
        started(cfg, effects.VALIDATE)
        began = time.perf_counter()
        decided = sweep(batch or cfg.VALIDATOR_BATCH)
        record_validator_run(cfg, decided, time.perf_counter() - began)
    log.info("validator decided %d lines", decided)
    return decided
