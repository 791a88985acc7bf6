"""`flask worker` and `flask timer`: the rq worker and rq's cron timer, each in the main
thread of its own process (they rely on signals)."""

from __future__ import annotations

import logging
import time

import click
import redis
from flask import Flask
from rq import Queue, SimpleWorker

from workflows.decisions import sweep

from .queue import install, redis_from_url
from .schedule import build_scheduler

log = logging.getLogger(__name__)
LOST = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _wait_for_redis(url: str, timeout: float | None = None):
    """Redis, once it answers: the embedded one starts beside us, a server may be down for
    a while. Without a timeout, wait as long as it takes (the supervisor restarts nothing)."""
    conn = redis_from_url(url)
    deadline = None if timeout is None else time.monotonic() + timeout
    pause = 0.2
    while True:
        try:
            conn.ping()
            return conn
        except Exception:  # noqa: BLE001 - not up yet
            if deadline is not None and time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def keep_running(what: str, url: str, run) -> None:
    """Run `run(conn)` until it returns; when Redis is lost (down, restarting, a stall),
    log it, wait for Redis to answer again and start over, instead of dying: under
    `make run` a process that dies stops all the others. What was due meanwhile is in the
    database, and the timer's jobs catch up with it."""
    while True:
        conn = _wait_for_redis(url)
        try:
            run(conn)
            return
        except LOST as exc:
            log.warning("%s lost Redis (%s); reconnecting", what, exc)
            time.sleep(1)


def init_app(app: Flask) -> None:
    install(app.config)  # the effects the operations ask for are queued in app's Redis

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Run what is queued, then exit.")
    def worker(burst: bool) -> None:
        """Run an rq worker on the portal's queue (start as many as you like).

        A SimpleWorker: each job runs in the worker's own process. rq's default worker forks
        a work horse per job, which cost more CPU than the portal's short jobs themselves
        (a sweep, a batch of e-mails) on opening day. What it costs: a job that crashes the
        interpreter takes its worker down (run workers under a supervisor that restarts
        them), and memory a job keeps stays with the worker. A job that hangs is still
        stopped at its job_timeout (rq's signal, in this main thread)."""

        def run(conn) -> None:
            queue = Queue(app.config["QUEUE_NAME"], connection=conn)
            SimpleWorker([queue], connection=conn).work(burst=burst, with_scheduler=True)

        keep_running("worker", app.config["REDIS_URL"], run)

    @app.cli.command("timer")
    def timer() -> None:
        """Run rq's cron scheduler, which enqueues the validator every VALIDATE_EVERY s."""
        keep_running(
            "timer", app.config["REDIS_URL"], lambda conn: build_scheduler(app.config).start()
        )

    @app.cli.command("sweep")
    def sweep_now() -> None:
        """Decide every pending line now, in this process (no Redis needed)."""
        click.echo(f"{sweep(app.config['VALIDATOR_BATCH'])} lines decided")
