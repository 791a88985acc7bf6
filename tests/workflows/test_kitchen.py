"""The kitchen's counts equal the bookings the workflow accepted: made through the
operations (requests, the validator, cancellations on time and late, a closure, a waiting
list), provisional until the deadline and final after, on a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Child, Unit
from workflows import bookings, decisions, kitchen
from workflows.accounts import actor_for
from workflows.calendar import PARIS
from workflows.closures import close_days

from .. import factories as f
from .school_year import BEFORE_EVERYTHING, household

MONDAY = dt.date(2026, 12, 7)  # deadlines: Wednesday 2 December, 09:00
TUESDAY = dt.date(2026, 12, 8)
THURSDAY = dt.date(2026, 12, 10)
AFTER_MONDAY_DEADLINE = dt.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS)


def _ask(h, day, action="book", code="REPAS", now=BEFORE_EVERYTHING, school=0):
    child = h.children[0]
    unit = f.unit(h._town, code, school=school)
    return bookings.submit(
        f.parent_actor(h), [bookings.RequestSpec(child.id, [(unit.id, day, action)])], now=now
    )


def _family(town, name, option="", pai=False, school=0):
    h = household(town, name=name, school=school)
    Child.update(meal_option=option, has_pai=pai, class_name="CM1" if school else "CE1").where(
        Child.household == h.id
    ).execute()
    return h


@pytest.fixture
def kitchen_town(town_a):
    t = town_a
    martin = _family(t, "Martin", "sans porc")
    durand = _family(t, "Durand", pai=True)
    petit = _family(t, "Petit", "végétarien")
    leroy = _family(t, "Leroy")
    nougaro = _family(t, "Moreau", "sans viande", school=1)
    for h in (martin, petit, leroy):
        _ask(h, MONDAY)
        _ask(h, TUESDAY)
    _ask(durand, MONDAY, code="PAI")
    _ask(nougaro, MONDAY, school=1)
    decisions.sweep(now=BEFORE_EVERYTHING)
    # Petit cancels on time (accepted), Leroy too late (refused before it is sent)
    _ask(petit, MONDAY, "cancel", now=dt.datetime(2026, 12, 1, 18, 0, tzinfo=PARIS))
    decisions.sweep(now=dt.datetime(2026, 12, 1, 18, 1, tzinfo=PARIS))
    with pytest.raises(bookings.RequestRefused):
        _ask(leroy, MONDAY, "cancel", now=dt.datetime(2026, 12, 3, 8, 0, tzinfo=PARIS))
    t._families = {"martin": martin, "durand": durand, "petit": petit, "leroy": leroy}
    return t


def test_a_days_counts_are_the_accepted_bookings(kitchen_town):
    t = kitchen_town
    jean_moulin, nougaro = t._demo["schools"]
    days = kitchen.counts(t.id, MONDAY, MONDAY, now=AFTER_MONDAY_DEADLINE)
    by_site = {d.site_id: d for d in days}
    jm = by_site[jean_moulin.id]
    assert (jm.total, jm.units, jm.pai) == (3, {"REPAS": 2, "PAI": 1}, 1)
    assert jm.options == {"sans porc": 1, "standard": 2}
    assert (by_site[nougaro.id].total, by_site[nougaro.id].options) == (1, {"sans viande": 1})
    listed = kitchen.expected_children(t.id, MONDAY, jean_moulin.id)
    assert [(e.last_name, e.unit, e.class_name, e.meal_option, e.has_pai) for e in listed] == [
        ("Durand", "PAI", "CE1", "", True),
        ("Leroy", "REPAS", "CE1", "", False),
        ("Martin", "REPAS", "CE1", "sans porc", False),
    ]
    only = kitchen.counts(t.id, MONDAY, MONDAY, site_id=nougaro.id, now=AFTER_MONDAY_DEADLINE)
    assert [d.site_id for d in only] == [nougaro.id]


def test_provisional_until_the_deadline_final_after(kitchen_town):
    t = kitchen_town
    before = dt.datetime(2026, 12, 2, 8, 59, tzinfo=PARIS)
    assert {d.status for d in kitchen.counts(t.id, MONDAY, MONDAY, now=before)} == {"provisional"}
    at = kitchen.counts(t.id, MONDAY, MONDAY, now=AFTER_MONDAY_DEADLINE)
    assert {d.status for d in at} == {"final"}
    assert {d.status_fr for d in at} == {"définitif"}
    # Tuesday's deadline (Thursday 3, 09:00) is still ahead at Monday's
    tuesday = kitchen.counts(t.id, TUESDAY, TUESDAY, now=AFTER_MONDAY_DEADLINE)
    assert [(d.total, d.status) for d in tuesday] == [(3, "provisional")]
    assert not kitchen.day_status(t.id, TUESDAY, now=AFTER_MONDAY_DEADLINE)
    assert kitchen.day_status(t.id, MONDAY, now=AFTER_MONDAY_DEADLINE)


def test_a_closure_takes_its_meals_off(kitchen_town):
    t = kitchen_town
    site = t._demo["schools"][0]
    admin = actor_for(f.staff(t, "admin"))
    close_days(admin, t.id, TUESDAY, TUESDAY, "Grève", site_id=site.id)
    assert kitchen.counts(t.id, TUESDAY, TUESDAY, now=BEFORE_EVERYTHING) == []
    assert kitchen.expected_children(t.id, TUESDAY) == []


def test_the_waiting_list_counts_only_once_admitted(town_a):
    repas = f.unit(town_a)
    Unit.update(capacity=1, waiting_list=True).where(Unit.id == repas.id).execute()
    first, second = _family(town_a, "Martin"), _family(town_a, "Durand", "sans porc")
    _ask(first, THURSDAY)
    decisions.sweep(now=BEFORE_EVERYTHING)
    _ask(second, THURSDAY)
    decisions.sweep(now=BEFORE_EVERYTHING)
    (day,) = kitchen.counts(town_a.id, THURSDAY, THURSDAY, now=BEFORE_EVERYTHING)
    assert (day.total, day.options) == (1, {"standard": 1})
    _ask(first, THURSDAY, "cancel")
    decisions.sweep(now=BEFORE_EVERYTHING)
    (day,) = kitchen.counts(town_a.id, THURSDAY, THURSDAY, now=BEFORE_EVERYTHING)
    assert (day.total, day.options) == (1, {"sans porc": 1})
    assert [e.last_name for e in kitchen.expected_children(town_a.id, THURSDAY)] == ["Durand"]


def test_a_week_per_site_and_the_csv(kitchen_town):
    t = kitchen_town
    week = kitchen.week(t.id, dt.date(2026, 12, 9), now=AFTER_MONDAY_DEADLINE)
    jm = week["École Jean Moulin"]
    assert [(d.date, d.total) for d in jm] == [(MONDAY, 3), (TUESDAY, 3)]
    rows = list(kitchen.csv_rows(jm))
    assert rows[0] == kitchen.CSV_HEADER
    assert ("2026-12-07", "École Jean Moulin", "définitif", "REPAS", "", 2) in rows
    assert ("2026-12-08", "École Jean Moulin", "provisoire", "", "végétarien", 1) in rows


def test_bad_input_is_answered_in_french(kitchen_town):
    t = kitchen_town
    with pytest.raises(kitchen.KitchenError) as e:
        kitchen.counts(t.id, dt.date(2027, 7, 20), dt.date(2027, 7, 21))
    assert e.value.code == "outside_school_year"
    assert "en dehors de l'année scolaire" in e.value.message_fr
    other = f.town()
    with pytest.raises(kitchen.KitchenError) as e:
        kitchen.counts(t.id, MONDAY, MONDAY, site_id=other._demo["schools"][0].id)
    assert (e.value.code, e.value.message_fr) == ("unknown_site", "Structure inconnue.")
    with pytest.raises(kitchen.KitchenError):
        kitchen.counts(t.id, TUESDAY, MONDAY)
