"""`flask worker` and `flask timer`: the rq worker and rq's cron timer, each in the main
thread of its own process (they rely on signals)."""

from __future__ import annotations

import time

import click
from flask import Flask
from rq import Queue, SimpleWorker

from workflows.decisions import sweep

from .queue import install, redis_from_url
from .schedule import build_scheduler


def _wait_for_redis(url: str, timeout: float = 30.0):
    conn = redis_from_url(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.ping()
            return conn
        except Exception:  # noqa: BLE001 - not up yet (the embedded one starts beside us)
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


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
        conn = _wait_for_redis(app.config["REDIS_URL"])
        queue = Queue(app.config["QUEUE_NAME"], connection=conn)
        SimpleWorker([queue], connection=conn).work(burst=burst, with_scheduler=True)

    @app.cli.command("timer")
    def timer() -> None:
        """Run rq's cron scheduler, which enqueues the validator every VALIDATE_EVERY s."""
        _wait_for_redis(app.config["REDIS_URL"])
        build_scheduler(app.config).start()

    @app.cli.command("sweep")
    def sweep_now() -> None:
        """Decide every pending line now, in this process (no Redis needed)."""
        click.echo(f"{sweep(app.config['VALIDATOR_BATCH'])} lines decided")
