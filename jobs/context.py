"""What a job needs around it: the configuration and a database connection of its own."""

from __future__ import annotations

from contextlib import contextmanager

from config import get_config
from models import bind_database, database


@contextmanager
def job_database():
    """Bind and open the database for the length of one job (jobs run in a forked child)."""
    cfg = get_config()
    bind_database(cfg.DATABASE_URL)
    database.connect(reuse_if_open=True)
    try:
        yield cfg
    finally:
        if not database.is_closed():
            database.close()
