"""What the background is doing, read from rq's own registries (no Flask here): the queues,
the workers, the timers and their schedule, the validator's last runs, and the failed jobs
(retried or deleted by an admin on the jobs screen, blueprints/admin/jobs.py).

The validator's runs are the only thing rq does not keep: `record_validator_run` pushes
one small entry per sweep onto a capped Redis list."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass

from rq import Queue, Worker
from rq.cron import CronScheduler, get_cron_job_ids
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

from .queue import redis_from_url, setting

log = logging.getLogger(__name__)

RUNS_KEPT = 50
FAILED_SHOWN = 100


def _runs_key(cfg) -> str:
    return f"portail:{setting(cfg, 'QUEUE_NAME')}:validator-runs"


def record_validator_run(cfg, decided: int, seconds: float) -> None:
    """Keep the sweep's figures for the jobs screen (never fails the sweep)."""
    entry = json.dumps({"at": time.time(), "decided": decided, "seconds": round(seconds, 3)})
    try:
        conn = redis_from_url(setting(cfg, "REDIS_URL"))
        with conn.pipeline() as pipe:
            pipe.lpush(_runs_key(cfg), entry)
            pipe.ltrim(_runs_key(cfg), 0, RUNS_KEPT - 1)
            pipe.execute()
    except Exception:  # noqa: BLE001 - Redis away: the sweep's work is in the database
        log.warning("could not record the validator's run", exc_info=True)


def _when(timestamp: float | dt.datetime | None) -> dt.datetime | None:
    """A UTC moment as the server's local naive time (how the rest of the admin shows it)."""
    if timestamp is None:
        return None
    if isinstance(timestamp, dt.datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=dt.UTC)
        return timestamp.astimezone().replace(tzinfo=None)
    return dt.datetime.fromtimestamp(timestamp)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    every: int  # seconds
    last: dt.datetime | None


@dataclass(frozen=True)
class FailedJob:
    id: str
    name: str
    enqueued: dt.datetime | None
    ended: dt.datetime | None
    error: str  # the exception's last line, never the whole traceback


@dataclass
class Overview:
    queues: list[dict]
    workers: list[dict]
    timers: list[dict]
    schedule: list[ScheduledJob]
    validator_runs: list[dict]
    failed: list[FailedJob]
    reachable: bool = True


def _func_name(job: Job) -> str:
    try:
        return job.func_name.rsplit(".", 1)[-1]
    except Exception:  # noqa: BLE001 - a job whose function cannot be read any more
        return "?"


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def failed_jobs(cfg) -> list[FailedJob]:
    conn = redis_from_url(setting(cfg, "REDIS_URL"))
    registry = FailedJobRegistry(setting(cfg, "QUEUE_NAME"), connection=conn)
    ids = registry.get_job_ids(0, FAILED_SHOWN - 1)
    jobs = []
    for job in Job.fetch_many(ids, connection=conn):
        if job is None:
            continue
        result = job.latest_result()
        jobs.append(
            FailedJob(
                id=job.id,
                name=_func_name(job),
                enqueued=_when(job.enqueued_at),
                ended=_when(job.ended_at),
                error=_last_line(result.exc_string if result else job.exc_info),
            )
        )
    return jobs


def overview(cfg) -> Overview:
    """Everything the jobs screen shows; `reachable` is False when Redis does not answer."""
    from .schedule import build_scheduler  # the schedule imports every job module

    try:
        conn = redis_from_url(setting(cfg, "REDIS_URL"))
        name = setting(cfg, "QUEUE_NAME")
        queue = Queue(name, connection=conn)
        queues = [
            {
                "name": name,
                "queued": queue.count,
                "started": StartedJobRegistry(name, connection=conn).count,
                "failed": FailedJobRegistry(name, connection=conn).count,
            }
        ]
        workers = [
            {
                "name": w.name,
                "state": w.get_state(),
                "job": _func_name(w.get_current_job()) if w.get_current_job_id() else "",
                "heartbeat": _when(w.last_heartbeat),
                "done": w.successful_job_count,
                "failed": w.failed_job_count,
            }
            for w in Worker.all(connection=conn)
        ]
        timers = [
            {"name": t.name, "host": t.hostname, "pid": t.pid, "heartbeat": _when(t.last_heartbeat)}
            for t in CronScheduler.all(conn)
        ]
        schedule = []
        for cron in build_scheduler(cfg).get_jobs():
            last_ids = get_cron_job_ids(cron.name, conn, 0, 0)
            last = None
            if last_ids:
                try:
                    last = _when(Job.fetch(last_ids[0], connection=conn).enqueued_at)
                except NoSuchJobError:  # its result expired; the history still says when
                    score = conn.zscore(cron.job_history_key, last_ids[0])
                    last = _when(score)
            schedule.append(ScheduledJob(cron.func_name.rsplit(".", 1)[-1], cron.interval, last))
        runs = [json.loads(raw) for raw in conn.lrange(_runs_key(cfg), 0, 19)]
        for run in runs:
            run["at"] = _when(run["at"])
        return Overview(queues, workers, timers, schedule, runs, failed_jobs(cfg))
    except Exception:  # noqa: BLE001 - Redis away: the screen says so
        log.error("could not read the queues", exc_info=True)
        return Overview([], [], [], [], [], [], reachable=False)


def _failed(cfg, job_id: str):
    """The failed-jobs registry and the job `job_id`, or None if it is not a failed job."""
    conn = redis_from_url(setting(cfg, "REDIS_URL"))
    registry = FailedJobRegistry(setting(cfg, "QUEUE_NAME"), connection=conn)
    if job_id not in registry.get_job_ids():
        return None
    return registry, Job.fetch(job_id, connection=conn)


def retry_failed(cfg, job_id: str) -> str | None:
    """Put a failed job back on its queue; its function's name, or None if it is not failed."""
    found = _failed(cfg, job_id)
    if found is None:
        return None
    registry, job = found
    registry.requeue(job)
    return _func_name(job)


def delete_failed(cfg, job_id: str) -> str | None:
    """Remove a failed job for good; its function's name, or None if it is not failed."""
    found = _failed(cfg, job_id)
    if found is None:
        return None
    registry, job = found
    name = _func_name(job)
    registry.remove(job, delete_job=True)
    return name
