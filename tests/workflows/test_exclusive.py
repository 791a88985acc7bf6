"""REPAS and PAI (the meal brought from home) exclude each other on a day: a child has one
or the other, never both billed. Refused at sending, in the same send, by the validator
when two sends raced, and shown on the planning."""

import pytest

from models import Booking, RequestLine, Unit
from workflows import basket, bookings, decisions, planning

from .. import factories as f


@pytest.fixture
def setup(app):
    town = f.town()
    h = f.household(town, children=("Léa",))
    child = h.children[0]
    return town, h, child, f.unit(town, "REPAS"), f.unit(town, "PAI"), f.open_days(n=2)


def _send(h, child, lines):
    return bookings.submit(f.parent_actor(h), [bookings.RequestSpec(child.id, lines)])


def test_the_second_meal_of_a_day_is_refused_at_sending_in_french(setup):
    town, h, child, repas, pai, (day, other_day) = setup
    _send(h, child, [(repas.id, day, "book")])
    with pytest.raises(bookings.RequestRefused) as refused:
        _send(h, child, [(pai.id, day, "book")])
    [problem] = refused.value.problems
    assert problem.code == "exclusive"
    assert problem.message_fr.startswith("Léa a déjà « Repas » ce jour-là")
    # another day is fine
    _send(h, child, [(pai.id, other_day, "book")])


def test_both_in_one_send_are_refused(setup):
    town, h, child, repas, pai, (day, _) = setup
    with pytest.raises(bookings.RequestRefused) as refused:
        _send(h, child, [(repas.id, day, "book"), (pai.id, day, "book")])
    assert [p.code for p in refused.value.problems] == ["exclusive"]
    assert RequestLine.select().count() == 0


def test_the_validator_refuses_the_second_of_two_raced_sends(setup):
    town, h, child, repas, pai, (day, _) = setup
    _send(h, child, [(repas.id, day, "book")])
    # a send that got past the check at the same moment (two tabs)
    Unit.update(exclusive_group="").where(Unit.id == pai.id).execute()
    _send(h, child, [(pai.id, day, "book")])
    Unit.update(exclusive_group="repas").where(Unit.id == pai.id).execute()
    decisions.sweep()
    states = {b.unit_id: b.state for b in Booking.select()}
    assert states[repas.id] == "booked"
    assert states[pai.id] != "booked"
    line = RequestLine.get(RequestLine.unit == pai.id)
    assert line.state == "refused"
    assert "a déjà « Repas » ce jour-là" in (line.reason or "")


def test_the_planning_greys_the_other_meal_once_one_is_chosen(setup):
    town, h, child, repas, pai, (day, other_day) = setup

    def cell(code, d):
        return next(
            c
            for c in planning.planning(child.id, day, other_day)
            if c.unit.code == code and c.date == d
        )

    assert cell("PAI", day).changeable and cell("REPAS", day).changeable
    basket.basket_add(f.parent_actor(h), h.id, [(child.id, repas.id, day, "book")])
    got = planning.child_planning(child.id, day, other_day, household_id=h.id)
    pai_cell = next(c for c in got.cells if c.unit.code == "PAI" and c.date == day)
    assert not pai_cell.changeable and "Repas" in pai_cell.reason
    _send(h, child, [(repas.id, other_day, "book")])
    assert not cell("PAI", other_day).changeable
    assert "c'est l'un ou l'autre" in cell("PAI", other_day).reason
