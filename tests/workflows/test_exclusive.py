"""Units exclusive of each other on a day (REPAS and PAI): a child has one of them."""

from __future__ import annotations

import pytest

from models import Booking, RequestLine, Unit
from workflows import basket, bookings, decisions
from workflows.planning import planning

from .. import factories as f


def _send(h, *lines):
    child = h.children[0]
    return bookings.submit(f.parent_actor(h), [bookings.RequestSpec(child.id, list(lines))])


def test_the_second_unit_of_a_group_is_refused_at_sending_in_french(app):
    town = f.town()
    h = f.household(town, children=("Léa",))
    repas, pai, day = f.unit(town, "REPAS"), f.unit(town, "PAI"), f.open_days(n=1)[0]
    _send(h, (pai.id, day, "book"))
    with pytest.raises(bookings.RequestRefused) as refused:
        _send(h, (repas.id, day, "book"))
    (problem,) = refused.value.problems
    assert (problem.code, problem.message_fr) == (
        "exclusive",
        "Léa a déjà un repas PAI ce jour-là.",
    )


def test_both_in_one_send_are_refused_for_the_second(app):
    town = f.town()
    h = f.household(town, children=("Hugo",))
    repas, pai, day = f.unit(town, "REPAS"), f.unit(town, "PAI"), f.open_days(n=1)[0]
    with pytest.raises(bookings.RequestRefused) as refused:
        _send(h, (repas.id, day, "book"), (pai.id, day, "book"))
    assert [(p.unit_id, p.message_fr) for p in refused.value.problems] == [
        (pai.id, "Hugo a déjà un repas ce jour-là.")
    ]
    assert Booking.select().where(Booking.child == h.children[0]).count() == 0


def test_the_validator_accepts_one_and_refuses_the_other(app):
    """Two lines that both got through (the catalogue changed in between): the validator
    books the first and refuses the second, in French, so only one is billed."""
    town = f.town()
    h = f.household(town, children=("Léa",))
    repas, pai, day = f.unit(town, "REPAS"), f.unit(town, "PAI"), f.open_days(n=1)[0]
    Unit.update(exclusive_group="").where(Unit.id == pai.id).execute()
    _send(h, (repas.id, day, "book"))
    _send(h, (pai.id, day, "book"))
    Unit.update(exclusive_group="repas").where(Unit.id == pai.id).execute()
    decisions.sweep()
    states = {
        b.unit_id: (b.state, b.refusal_reason)
        for b in Booking.select().where(Booking.child == h.children[0])
    }
    assert states == {repas.id: ("booked", ""), pai.id: ("free", "Léa a déjà un repas ce jour-là.")}
    line = RequestLine.get(RequestLine.unit == pai.id)
    assert (line.state, line.reason) == ("refused", "Léa a déjà un repas ce jour-là.")


def test_the_planning_greys_the_other_cell_once_one_is_chosen(app):
    town = f.town()
    h = f.household(town, children=("Léa",))
    child = h.children[0]
    repas, pai = f.unit(town, "REPAS"), f.unit(town, "PAI")
    day, other_day = f.open_days(n=2)

    def cells():
        return {
            (c.unit.id, c.date): c
            for c in planning(child.id, day, other_day)
            if c.unit.id in (repas.id, pai.id)
        }

    assert all(c.changeable for c in cells().values())
    problems = basket.basket_add(f.parent_actor(h), h.id, [(child.id, repas.id, day, "book")])
    assert problems == []
    now = cells()
    assert (now[(pai.id, day)].changeable, now[(pai.id, day)].excluded_by) == (False, "Repas")
    assert now[(repas.id, day)].changeable and now[(pai.id, other_day)].changeable

    _send(h, (pai.id, other_day, "book"))  # sent and yellow: the same
    after = cells()
    assert (after[(repas.id, other_day)].changeable, after[(repas.id, other_day)].excluded_by) == (
        False,
        "Repas PAI",
    )
    assert after[(repas.id, other_day)].as_dict()["excluded_by"] == "Repas PAI"
