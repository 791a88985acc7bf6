"""The permission table (workflows/permissions.py) against the app: every admin endpoint ×
every staff role × an admin of another town, allowed or refused exactly as the table says;
a screen without a row fails here."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from models import Closure
from workflows import permissions

from .. import factories as f
from ..forms import csrf
from .conftest import send

OBJECT_VIEWS = {"details_view", "edit_view"}


def admin_views(app) -> dict:
    admin = app.extensions["portail_admin"]
    return {view.endpoint: view for view in admin._views}


def admin_rules(app):
    views = admin_views(app)
    for rule in app.url_map.iter_rules():
        screen, _, name = rule.endpoint.partition(".")
        if screen in views and name != "static":
            yield rule, views[screen], name


def expanded(role: str) -> frozenset[str]:
    return frozenset(permissions.STAFF_ROLES) if role == "admin" else frozenset({role})


def test_every_admin_screen_has_a_row(app):
    screens = set(admin_views(app))
    assert screens - set(permissions.TABLE) == set(), "add a row to workflows/permissions.py"
    assert set(permissions.TABLE) - screens == set(), "a row for a screen that is gone"


@pytest.fixture
def town_data(app, town_a, town_b, wednesdays):
    """Town A with a household that sent requests and a closure: every screen has a row."""
    h = f.household(town_a, "Dupuis", children=("Zoé",), wednesday=True)
    send(town_a, h, "MERCREDI REPAS", wednesdays)
    Closure.create(town=town_a, start=wednesdays[-1], end=wednesdays[-1], reason="Sortie")
    f.household(town_b, "Bernard", wednesday=True)
    return town_a


def first_id(client, view) -> str | None:
    """The first object town A's admin sees in the screen's list (None: not a model
    screen, or an empty list)."""
    if not hasattr(view, "model"):
        return None
    response = client.get(f"{view.url}/")
    html = response.get_data(as_text=True)
    response.close()  # gives the admission gate's slot back (as `call` does)
    match = re.search(rf"{re.escape(view.url)}/(?:details|edit)/\?id=(\d+)", html)
    return match and match.group(1)


def call(app, client, rule, view, name, object_id, token):
    with app.test_request_context():
        args = {a: 999999 for a in rule.arguments}
        if name == "export":
            args["export_type"] = "csv"
        url = url_for(rule.endpoint, **args)
    if name in OBJECT_VIEWS and object_id is not None:
        url += f"?id={object_id}"
    if "GET" in rule.methods:
        response = client.get(url)
    else:
        data = {"csrf_token": token}
        if name == "action_view":  # the batch delete, with no row ticked
            data["action"] = "delete"
        response = client.post(url, data=data)
    response.close()  # gives the admission gate's slot back
    return response


def test_every_endpoint_answers_each_role_as_the_table_says(app, auth, town_data, town_b):
    clients = {role: auth.staff(town_data, role) for role in permissions.STAFF_ROLES}
    tokens = {role: csrf(c, "/admin/") for role, c in clients.items()}
    stranger = auth.admin(town_b)
    stranger_token = csrf(stranger, "/admin/")
    ids = {}
    checked = 0
    for rule, view, name in admin_rules(app):
        if view.endpoint not in ids:
            ids[view.endpoint] = first_id(clients["admin"], view)
        object_id = ids[view.endpoint]
        action = "delete" if name == "action_view" else view.action_of(name)
        for role, client in clients.items():
            response = call(app, client, rule, view, name, object_id, tokens[role])
            where = f"{rule.endpoint} {sorted(rule.methods - {'HEAD', 'OPTIONS'})} as {role}"
            if permissions.allowed(expanded(role), view.endpoint, action):
                assert response.status_code not in (403, 500), where
                if name in OBJECT_VIEWS and object_id is not None:
                    assert response.status_code == 200, where
            else:
                assert response.status_code == 403, where
            checked += 1
        # an admin of another town opens the screens but none of town A's objects
        response = call(app, stranger, rule, view, name, object_id, stranger_token)
        where = f"{rule.endpoint} as an admin of another town"
        if not permissions.allowed(expanded("admin"), view.endpoint, action):
            assert response.status_code == 403, where
        elif name in OBJECT_VIEWS and object_id is not None:
            assert response.status_code == 404, where
        else:
            assert response.status_code not in (403, 500), where
    assert checked > 300


@pytest.mark.parametrize("role", permissions.STAFF_ROLES)
def test_menus_show_only_what_a_role_may_open(app, auth, town_a, role):
    html = auth.staff(town_a, role).get("/admin/").get_data(as_text=True)
    for endpoint, view in admin_views(app).items():
        if endpoint == "admin":
            continue
        shown = f'href="{view.url}/"' in html
        if not permissions.allowed(expanded(role), endpoint):
            assert not shown, f"{endpoint} in the menu of {role}"
