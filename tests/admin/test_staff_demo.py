"""The demo shows the staff's day: the animator logs in, tomorrow's (or the next school
day's) meals are counted, the sheet lists children."""

from __future__ import annotations

import datetime as dt

from workflows import kitchen
from workflows.demo import create_demo
from workflows.staff_demo import ANIMATOR

from ..forms import login_through


def test_the_demo_has_meals_and_an_animator(app, client):
    town = create_demo(households=6)
    start, end = dt.date.today(), dt.date.today() + dt.timedelta(days=14)
    if kitchen.in_school_year(start) and kitchen.in_school_year(end):
        assert sum(d.total for d in kitchen.counts(town.id, start, end)) > 0
    # The demo's staff enrol their second factor at their first sign-in.
    assert "Vos codes de secours" in login_through(client, *ANIMATOR).get_data(as_text=True)
    assert client.get("/admin/pointage/").status_code == 200
