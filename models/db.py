"""The database handle: a proxy bound once per process by the app factory or a job."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager

from peewee import Cast, DatabaseProxy, Model, PostgresqlDatabase, SqliteDatabase, Value, fn
from playhouse.db_url import connect

database = DatabaseProxy()
log = logging.getLogger(__name__)


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


class _Pending(threading.local):
    """The callbacks waiting for the outermost `transaction()` of this thread to commit
    (None outside any)."""

    callbacks: list[tuple[object, Callable[[], None]]] | None = None


_pending = _Pending()


@contextmanager
def transaction():
    """One write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE),
    so two processes never both read then fail to upgrade; PostgreSQL uses row locks.

    Nested, it is a savepoint. What `after_commit` registers inside runs once the outermost
    one has committed, and is dropped with what a rolled-back block (or savepoint) did."""
    outermost = _pending.callbacks is None
    if outermost:
        _pending.callbacks = []
    mark = len(_pending.callbacks)
    try:
        if is_sqlite() and outermost:
            with database.obj.atomic("IMMEDIATE"):
                yield
        else:
            with database.atomic():
                yield
    except BaseException:
        if outermost:
            _pending.callbacks = None
        else:
            del _pending.callbacks[mark:]
        raise
    if outermost:
        callbacks, _pending.callbacks = _pending.callbacks, None
        for _key, callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - what is committed stays committed
                log.exception("after-commit callback %r failed", callback)


def after_commit(callback: Callable[[], None], key: object = None) -> None:
    """Run `callback` once the current transaction has committed, or at once when there is
    none (what was written is already committed). Never run for a transaction that rolls
    back: jobs are enqueued and mail is sent only for what is really in the database
    (pretix's transaction.on_commit). With `key`, a callback already registered under the
    same key in this transaction is not registered again (one sweep asked for, however
    many lines were sent)."""
    pending = _pending.callbacks
    if pending is None:
        if database.obj is not None and database.in_transaction():
            raise RuntimeError("after_commit inside a transaction not opened by transaction()")
        callback()
        return
    if key is not None and any(k == key for k, _ in pending):
        return
    pending.append((key, callback))


def among(field, ids):
    """`field IN ids` for integer ids. On PostgreSQL one array parameter, sent as text
    (`= ANY('{1,2,...}'::integer[])`): binding thousands of parameters one by one is most
    of the cost of a large IN list, and psycopg2 adapts a list of ints ten times slower
    than joining their digits."""
    ids = list(ids)
    if is_postgres():
        literal = "{" + ",".join(map(str, map(int, ids))) + "}"
        return field == fn.ANY(Cast(Value(literal), "integer[]"))
    return field.in_(ids)


class HotQuery:
    """A hand-written SELECT for a path every page takes (the login check, a planning):
    peewee spends longer generating such a query's SQL than the database spends running
    it. `fields` (peewee fields) give the select list and turn each value into its Python
    type (SQLite returns dates and times as text); `rest` names tables by their table
    names and takes its parameters as %s, on both databases."""

    def __init__(self, fields, rest: str) -> None:
        self.fields = tuple(fields)
        self.sql = (
            "SELECT "
            + ", ".join(f'"{f.model._meta.table_name}"."{f.column_name}"' for f in self.fields)
            + " "
            + rest
        )
        self._convert = tuple(f.python_value for f in self.fields)

    def rows(self, *params) -> list[tuple]:
        sql = self.sql if database.obj.param == "%s" else self.sql.replace("%s", "?")
        cursor = database.execute_sql(sql, params)
        convert = self._convert
        return [tuple(c(v) for c, v in zip(convert, row, strict=True)) for row in cursor.fetchall()]


def hydrate(model, fields, values):
    """A model instance from the values of `fields` (as read by a HotQuery)."""
    obj = model(**{f.name: v for f, v in zip(fields, values, strict=True)})
    obj._dirty.clear()
    return obj
