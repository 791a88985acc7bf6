"""Helpers for the admin tests: pending lines on the Wednesday units, whose approval mode is
'staff', and the worklist's page and batch form."""

from __future__ import annotations

import pytest

from workflows import bookings

from .. import factories as f
from ..forms import csrf_token


def send(town, h, unit_code: str, days, action: str = "book", child=None) -> list[int]:
    """The parent of `h` sends a request for a child (the first) on `days` of `unit_code`."""
    child = child or h.children[0]
    unit = f.unit(town, unit_code)
    return bookings.submit(
        f.parent_actor(h), [bookings.RequestSpec(child.id, [(unit.id, d, action) for d in days])]
    )


@pytest.fixture
def town_a(app):
    return f.town("villea")


@pytest.fixture
def town_b(app):
    return f.town("villeb")


@pytest.fixture
def wednesdays():
    return f.open_days(weekdays="3", n=3)


@pytest.fixture
def school_days():
    return f.open_days(n=2)


def worklist_page(client, **params):
    return client.get("/admin/demandes-a-traiter/", query_string=params)


def decide(client, line_ids, decision: str, reason: str = "", **filters):
    page = worklist_page(client, **filters)
    token = csrf_token(page.get_data(as_text=True))
    data = {
        "csrf_token": token,
        "decision": decision,
        "reason": reason,
        "line": [str(i) for i in line_ids],
        **filters,
    }
    return client.post("/admin/demandes-a-traiter/", data=data)
