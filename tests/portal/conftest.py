"""Helpers for the parents' screens: a household and its logged-in client, with CSRF on."""

from __future__ import annotations

import pytest

from tests import factories as f

from ..forms import csrf


class Parent:
    """A household with its logged-in client (tests/conftest.py's `auth`)."""

    def __init__(self, client, household) -> None:
        self.client = client
        self.household = household
        self.child = household.children[0]

    def token(self, path: str | None = None) -> str:
        path = path or f"/enfants/{self.child.id}/planning"
        return csrf(self.client, path)

    def add(self, lines, child=None, also=()):
        child = child or self.child
        return self.client.post(
            f"/enfants/{child.id}/selection",
            json={
                "lines": [{"unit": u, "date": d.isoformat(), "action": a} for u, d, a in lines],
                "also": list(also),
            },
            headers={"X-CSRFToken": self.token()},
        )

    def post(self, path: str, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token("/panier"))
        return self.client.post(path, data=data, **kw)


@pytest.fixture
def town(app):
    return f.town()


@pytest.fixture
def parent(auth, client, town):
    h = f.household(town, children=("Léa", "Hugo"))
    return Parent(auth.parent(h, client=client), h)


@pytest.fixture
def other_parent(auth, town):
    h = f.household(town, name="Durand", children=("Zoé",))
    return Parent(auth.parent(h), h)
