"""Helpers for the parents' screens: a logged-in test client, with CSRF on."""

from __future__ import annotations

import re

import pytest

from tests import factories as f

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def login(client, household) -> None:
    page = client.get("/connexion")
    token = csrf_from(page.get_data(as_text=True))
    resp = client.post(
        "/connexion",
        data={"csrf_token": token, "email": household._email, "password": f.PASSWORD},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)


class Parent:
    """A household with one logged-in client."""

    def __init__(self, client, household) -> None:
        self.client = client
        self.household = household
        self.child = household.children[0]
        login(client, household)

    def token(self, path: str | None = None) -> str:
        path = path or f"/enfants/{self.child.id}/planning"
        return csrf_from(self.client.get(path).get_data(as_text=True))

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
def parent(app, client, town):
    return Parent(client, f.household(town, children=("Léa", "Hugo")))


@pytest.fixture
def other_parent(app, town):
    return Parent(app.test_client(), f.household(town, name="Durand", children=("Zoé",)))
