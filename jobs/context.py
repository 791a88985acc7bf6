"""What a job needs around it: the configuration and a database connection of its own."""

from __future__ import annotations

from contextlib import contextmanager

from config import get_config
from models import bind_database, database

from .queue import install

_bound: dict[str, str] = {}


@contextmanager
def job_database():
    """The configuration, and the database open for the length of one job. The database is
    bound once per process and URL (a worker runs many jobs), and the effects the job's
    operations ask for are queued with this configuration's Redis."""
    cfg = get_config()
    if _bound.get("url") != cfg.DATABASE_URL or database.obj is None:
        bind_database(cfg.DATABASE_URL)
        _bound["url"] = cfg.DATABASE_URL
    install(cfg)
    database.connect(reuse_if_open=True)
    try:
        yield cfg
    finally:
        if not database.is_closed():
            database.close()
