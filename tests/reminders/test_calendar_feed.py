"""The household's calendar feed, parsed back and compared with the planning."""

from __future__ import annotations

import datetime as dt
import re

from icalendar import Calendar

from workflows import bookings
from workflows import planning as plan

from .. import factories as f
from ..conftest import run_worker
from ..forms import post_form

ADDRESS = re.compile(r'<li>([^<]+) : <input[^>]*value="https?://[^"/]+(/calendrier/[^"]+\.ics)"')


def _addresses(client) -> list[str]:
    """The feeds shown in "Mon compte": all the children first, then each by first name."""
    found = dict(ADDRESS.findall(client.get("/mon-compte").get_data(True)))
    return [found.pop("Tous les enfants"), *(found[k] for k in sorted(found))]


def _events(client, path):
    answer = client.get(path)
    assert answer.status_code == 200, answer.status_code
    assert answer.mimetype == "text/calendar"
    return [c for c in Calendar.from_ical(answer.data).walk("VEVENT")]


def test_the_feed_shows_what_the_planning_shows(app, auth):
    town = f.town()
    h = f.household(town, children=("Léa", "Hugo"))
    lea, hugo = h.children
    days = f.open_days(n=3)
    repas = f.unit(town, "REPAS").id
    actor = f.parent_actor(h)
    bookings.submit(actor, [bookings.RequestSpec(lea.id, [(repas, d, "book") for d in days[:2]])])
    run_worker()  # the validator accepts them
    bookings.submit(actor, [bookings.RequestSpec(lea.id, [(repas, days[2], "book")])])
    bookings.submit(actor, [bookings.RequestSpec(hugo.id, [(repas, days[0], "book")])])
    client = auth.parent(h)
    every, hugo_only, lea_only = _addresses(client)
    anonymous = app.test_client()  # calendar apps do not log in
    events = _events(anonymous, lea_only)
    cells = plan.child_planning(lea.id, days[0], days[-1], household_id=h.id).cells
    expected = {
        (c.date, "CONFIRMED" if c.state == "booked" else "TENTATIVE")
        for c in cells
        if c.state in ("booked", "requested")
    }
    assert {(e.decoded("dtstart"), str(e["status"])) for e in events} == expected
    assert expected == {(days[0], "CONFIRMED"), (days[1], "CONFIRMED"), (days[2], "TENTATIVE")}
    first = events[0]
    assert str(first["summary"]) == "Restauration scolaire – Repas"
    assert "École Jean Moulin" in str(first["location"])
    assert first.decoded("dtend") == first.decoded("dtstart") + dt.timedelta(days=1)
    both = _events(anonymous, every)
    assert len(both) == 4
    assert {str(e["summary"]).split(" : ")[0] for e in both} == {"Léa", "Hugo"}
    assert len(_events(anonymous, hugo_only)) == 1


def test_deadlines_with_an_alarm(app, auth):
    town = f.town()
    h = f.household(town)
    client = auth.parent(h)
    path = _addresses(client)[0]
    events = _events(app.test_client(), path + "?echeances=1")
    deadlines = [e for e in events if str(e["summary"]).startswith("Réservations")]
    if not deadlines:  # the coming three weeks are school holidays
        return
    alarm = deadlines[0].walk("VALARM")[0]
    assert alarm.decoded("trigger") == dt.timedelta(hours=-1)
    assert "Pas encore réservé" in str(deadlines[0]["description"])


def test_other_household_revoked_and_no_token(app, auth):
    town = f.town()
    h = f.household(town)
    other = f.household(town, name="Durand")
    day = f.open_days(n=1)[0]
    bookings.submit(
        f.parent_actor(other),
        [bookings.RequestSpec(other.children[0].id, [(f.unit(town).id, day, "book")])],
    )
    mine = _addresses(auth.parent(h))
    theirs = _addresses(auth.parent(other))
    anonymous = app.test_client()
    assert _events(anonymous, mine[0]) == []  # my feed never shows the other's bookings
    assert len(_events(anonymous, theirs[0])) == 1
    client = auth.parent(h)
    answer = post_form(
        client, "/mon-compte", {}, action="/mon-compte/calendrier/regenerer", follow_redirects=True
    )
    assert "les anciennes ne fonctionnent plus" in answer.get_data(True)
    assert anonymous.get(mine[0]).status_code == 404  # the old address is gone
    new = _addresses(client)
    assert new[0] != mine[0] and anonymous.get(new[0]).status_code == 200
    assert anonymous.get(theirs[0]).status_code == 200  # the other household's still works
    assert anonymous.get("/calendrier/.ics").status_code == 404
    assert anonymous.get("/calendrier/pas-un-jeton.ics").status_code == 404


def test_the_feed_is_rate_limited(app, auth):
    app.config["RATELIMIT_CALENDAR"] = "3 per hour"
    town = f.town()
    h = f.household(town)
    path = _addresses(auth.parent(h))[0]
    anonymous = app.test_client()
    assert [anonymous.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]
