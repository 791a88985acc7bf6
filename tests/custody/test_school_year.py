"""A shared child's planning over a whole school year, from each household: every open day
is one home's (the other sees it marked), following the pattern in force that day, a
change of pattern mid-year included."""

from __future__ import annotations

import datetime as dt

from tests import factories as f
from workflows import homes
from workflows import planning as plan
from workflows.custody import household_on, pattern_on

from .helpers import actor_of, monday_of, shared_child


def _marks(lea, household, start, end, unit_id):
    cells = plan.child_planning(lea.id, start, end, household_id=household.id).cells
    return {c.date: c.other_home for c in cells if c.unit.id == unit_id and c.state == "free"}


def test_the_planning_follows_the_pattern_over_the_school_year(app):
    town = f.town(today=dt.date(2026, 9, 1))
    first_day, last_day = town._demo["start"], town._demo["end"]
    monday = monday_of(first_day)
    martin, durand, lea = shared_child(town, "handover", start=monday, handover=3)
    # From the February holidays' end, a list of periods: Durand has the spring holidays'
    # neighbouring weeks, Martin the rest
    change = dt.date(2027, 3, 1)
    spans = [(dt.date(2027, 3, 15), dt.date(2027, 3, 26), "second")]
    homes.set_pattern(actor_of(f.staff(town)), lea.id, durand.id, "periods", change, periods=spans)
    repas = f.unit(town).id
    patterns = homes.patterns_of([lea.id])[lea.id]
    seen = {}
    for h in (martin, durand):
        seen[h.id] = _marks(lea, h, first_day, last_day, repas)
    days = sorted(seen[martin.id])
    assert len(days) > 120  # a school year of meals
    counts = {martin.id: 0, durand.id: 0}
    for day in days:
        home = household_on(pattern_on(patterns, day), day)
        counts[home] += 1
        assert seen[martin.id][day] == (home != martin.id), day
        assert seen[durand.id][day] == (home != durand.id), day
    # before the change the homes take turns (Wednesday to Tuesday); after it, Durand has
    # only the two weeks of March
    before = [d for d in days if d < change]
    assert {d for d in before if not seen[durand.id][d]} and {
        d for d in before if not seen[martin.id][d]
    }
    after_durand = [d for d in days if d >= change and not seen[durand.id][d]]
    assert after_durand and min(after_durand) >= dt.date(2027, 3, 15)
    assert max(after_durand) <= dt.date(2027, 3, 26)
    assert counts[martin.id] > counts[durand.id] > 30
