"""Reminders and the calendar feed follow the custody pattern: a household is reminded of
its own days of the shared child only, and its feed shows its own days."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from models import OutgoingMail
from tests import factories as f
from workflows import bookings, calendar_feed, reminders
from workflows.calendar import PARIS

from ..conftest import run_worker
from .helpers import days_of, monday_of, shared_child


def test_each_household_is_reminded_of_its_own_days_only(app):
    town = f.town(today=dt.date(2027, 1, 1))
    town.reminder_hours = 2
    town.save()
    # Martin has Léa the week of Monday 11 January, Durand the week of 4 January
    martin, durand, lea = shared_child(town, start=dt.date(2027, 1, 11))
    # Wednesday 6 January, 8h00: the 9h00 deadline closes Monday 11's meal and Friday 8's care
    now = dt.datetime(2027, 1, 6, 8, tzinfo=PARIS)
    assert reminders.remind("http://portail.test", now=now) == 2
    by_to = {m.recipients: m for m in OutgoingMail.select()}
    to_martin, to_durand = by_to[martin._email], by_to[durand._email]
    assert "La semaine du 11 janvier n'est pas réservée pour Léa" in to_martin.text
    assert "La semaine du 4 janvier n'est pas réservée pour Léa" not in to_martin.text
    assert "La semaine du 4 janvier n'est pas réservée pour Léa" in to_durand.text
    assert "La semaine du 11 janvier n'est pas réservée pour Léa" not in to_durand.text
    # Zoé is Durand's alone: reminded of both weeks, to Durand only
    assert "La semaine du 11 janvier n'est pas réservée pour Zoé" in to_durand.text
    assert "Zoé" not in to_martin.text


def _events(token, **kw):
    return Calendar.from_ical(calendar_feed.feed(token, **kw)).walk("VEVENT")


def test_each_household_feed_shows_its_own_days(app):
    town = f.town()
    days = f.open_days(n=12)
    start = monday_of(days[0])
    martin, durand, lea = shared_child(town, start=start)
    repas = f.unit(town).id
    mine = days_of(martin, martin, durand, days, start)[:2]
    theirs = days_of(durand, martin, durand, days, start)[:2]
    for h, ds in ((martin, mine), (durand, theirs)):
        bookings.submit(
            f.parent_actor(h), [bookings.RequestSpec(lea.id, [(repas, d, "book") for d in ds])]
        )
    run_worker()
    martin_feed = _events(calendar_feed.token_for(martin.id, lea.id))
    durand_feed = _events(calendar_feed.token_for(durand.id, lea.id))
    assert sorted(e.decoded("dtstart") for e in martin_feed) == mine
    assert sorted(e.decoded("dtstart") for e in durand_feed) == theirs
    assert {str(e["status"]) for e in durand_feed} == {"CONFIRMED"}
    # Durand's feed of all its children: Léa's Durand days (Zoé has nothing booked)
    every = _events(calendar_feed.token_for(durand.id, None))
    assert sorted(e.decoded("dtstart") for e in every) == theirs
