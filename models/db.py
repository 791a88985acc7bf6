"""The database handle: a proxy bound once per process by the app factory or a job."""

from __future__ import annotations

from contextlib import contextmanager

from peewee import DatabaseProxy, Model, PostgresqlDatabase, SqliteDatabase, Value, fn
from playhouse.db_url import connect

database = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def bind_database(url: str):
    """Open the database named by `url` (sqlite:///path or postgresql://...) and bind the proxy."""
    if url.startswith("sqlite"):
        db = connect(
            url,
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": 30000,
                "synchronous": "normal",
                "cache_size": -32000,
            },
        )
    else:
        db = connect(url)
    database.initialize(db)
    return db


def is_postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


@contextmanager
def transaction():
    """One write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE),
    so two processes never both read then fail to upgrade; PostgreSQL uses row locks."""
    if is_sqlite():
        with database.obj.atomic("IMMEDIATE"):
            yield
    else:
        with database.atomic():
            yield


def among(field, ids):
    """`field IN ids`, as one array parameter on PostgreSQL (`= ANY(%s)`): building and
    binding thousands of parameters one by one is most of the cost of a large IN list."""
    ids = list(ids)
    if is_postgres():
        return field == fn.ANY(Value(ids, unpack=False))
    return field.in_(ids)
