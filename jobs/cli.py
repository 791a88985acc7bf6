"""`flask worker` and `flask timer`: the rq worker and rq's cron timer, each in the main
thread of its own process (they rely on signals)."""

from __future__ import annotations

import time

import click
from flask import Flask


def _wait_for_redis(url: str, timeout: float = 30.0):
    from .queue import redis_from_url

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
    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Run what is queued, then exit.")
    def worker(burst: bool) -> None:
        """Run an rq worker on the portal's queue (start as many as you like)."""
        from rq import Queue, Worker

        conn = _wait_for_redis(app.config["REDIS_URL"])
        queue = Queue(app.config["QUEUE_NAME"], connection=conn)
        Worker([queue], connection=conn).work(burst=burst, with_scheduler=True)

    @app.cli.command("timer")
    def timer() -> None:
        """Run rq's cron scheduler, which enqueues the validator every VALIDATE_EVERY s."""
        from .schedule import build_scheduler

        _wait_for_redis(app.config["REDIS_URL"])
        build_scheduler(app.config).start()

    @app.cli.command("sweep")
    def sweep_now() -> None:
        """Decide every pending line now, in this process (no Redis needed)."""
        from workflows.decisions import sweep

        click.echo(f"{sweep(app.config['VALIDATOR_BATCH'])} lines decided")
