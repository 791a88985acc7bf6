"""Helpers for the admin tests: staff accounts, logging in through the real form (CSRF on),
and pending lines on the Wednesday units, whose approval mode is 'staff'."""

from __future__ import annotations

import re

import pytest

from models import Account
from workflows import bookings
from workflows.accounts import hash_password

from .. import factories as f

STAFF_PASSWORD = "agent-mot-de-passe"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def make_staff(town, roles: str = "approver", email: str | None = None) -> Account:
    return Account.create(
        email=email or f"agent-{town.slug}-{roles.replace(',', '-')}@mairie.fr",
        password_hash=hash_password(STAFF_PASSWORD),
        is_staff=True,
        roles=roles,
        town=town,
    )


def login(client, email: str, password: str = STAFF_PASSWORD, headers=None):
    page = client.get("/connexion", headers=headers)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(
        "/connexion",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
    )


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
