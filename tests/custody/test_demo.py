"""The demo's shared child: the Bernard household's first child lives week about with the
Roux household too (README: garde@demo.fr / demo-garde); each household sees the child,
with the other home's week marked."""

from __future__ import annotations

import datetime as dt
import html

from models import Child, CustodyPattern, Household, OutgoingMail
from workflows import planning as plan
from workflows.custody_demo import SECOND_HOME
from workflows.demo import create_demo

from ..forms import login


def test_the_demo_shared_child(app):
    create_demo(households=3)
    (pattern,) = CustodyPattern.select()
    child = Child.get_by_id(pattern.child_id)
    assert child.household.name == "Bernard"
    assert pattern.second_household.name == "Roux"
    assert pattern.kind == "weeks" and pattern.start.weekday() == 0
    assert OutgoingMail.select().where(OutgoingMail.kind == "custody_changed").count() == 2
    for email, password in (("famille01@demo.fr", "demo-famille"), SECOND_HOME):
        client = app.test_client()
        assert login(client, email, password).status_code == 302
        home = html.unescape(client.get("/").get_data(as_text=True))
        assert child.first_name in home
        assert client.get(f"/enfants/{child.id}/planning").status_code == 200
    # over the next four weeks, every free day is one home's: the other sees it marked
    today = dt.date.today()
    first, second = child.household_id, pattern.second_household_id
    cells = {
        h: {
            (c.unit.id, c.date): c
            for c in plan.child_planning(
                child.id, today, today + dt.timedelta(days=27), household_id=h
            ).cells
        }
        for h in (first, second)
    }
    free = [k for k, c in cells[first].items() if c.state == "free" and k[1] > today]
    assert free
    for key in free:
        assert cells[first][key].other_home != cells[second][key].other_home, key
    assert {cells[first][k].other_home for k in free} == {True, False}
    assert Household.select().where(Household.name == "Roux").count() == 1
