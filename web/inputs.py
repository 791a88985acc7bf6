"""Absurd input is refused at the door: JSON nested too deep is malformed, ids beyond what
a database column holds are a 404 (SQLite and PostgreSQL overflow at 2^63), dates far
outside any school year are not dates, and bodies over MAX_CONTENT_LENGTH are a 413, except
the admin's uploads of documents and images, which have limits of their own."""

from __future__ import annotations

import datetime as dt

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

BIGINT = 2**63 - 1
# Dates typed in addresses and forms: outside these, a date is not valid (a period a year
# around 0001-01-01 or 9999-12-31 would overflow Python's dates).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def an_id(value) -> int | None:
    """A row's id as sent in a body or a form: a positive integer a BIGINT holds, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value <= BIGINT else None


def ids(values) -> list[int]:
    """The ids among a form's values (others are ignored)."""
    return [i for i in map(an_id, values) if i is not None]


def day(text) -> dt.date | None:
    """A date written YYYY-MM-DD, or None when it is not one (or absurdly far away)."""
    try:
        value = dt.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return value if value is not None and FIRST_DAY <= value <= LAST_DAY else None


class Id(IntegerConverter):
    """`<int:…>` in every route: at most a BIGINT (a longer number matches no route)."""

    def __init__(self, map, fixed_digits=0, min=None, max=BIGINT, signed=False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class JSON(DefaultJSONProvider):
    """A body nested thousands deep is not JSON we read (Python's parser would overflow
    its stack): it is refused like any malformed body."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deep") from None


def init_app(app: Flask) -> None:
    """Before any blueprint registers its routes."""
    app.json = JSON(app)
    app.url_map.converters["int"] = Id

    @app.before_request
    def _body_limit():
        if request.path.startswith("/admin/"):
            cfg = app.config
            upload = max(cfg["CONTENT_MAX_PDF"], cfg["CONTENT_MAX_IMAGE"])
            request.max_content_length = upload + 1024 * 1024
