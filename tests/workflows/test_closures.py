"""A town closes days: booked days become free (nothing billed) and closed for new bookings."""

import pytest

from models import Booking, WorkflowHistory
from workflows import bookings, decisions
from workflows.accounts import actor_for
from workflows.closures import close_days
from workflows.engine import Forbidden, WorkflowError
from workflows.planning import planning

from .. import factories as f


def _admin(town, roles="admin"):
    return actor_for(f.staff(town, roles))


def test_a_closure_cancels_the_bookings_it_covers_and_closes_the_cells(app):
    town = f.town()
    h = f.household(town)
    child = h.children[0]
    repas = f.unit(town)
    days = f.open_days(n=3)
    bookings.submit(
        f.parent_actor(h), [bookings.RequestSpec(child.id, [(repas.id, d, "book") for d in days])]
    )
    decisions.sweep()
    admin = _admin(town)
    _, cancelled = close_days(admin, town.id, days[1], days[1], "Grève")
    assert cancelled == 1
    states = {b.date: b.state for b in Booking.select()}
    assert states == {days[0]: "booked", days[1]: "free", days[2]: "booked"}
    row = WorkflowHistory.get(WorkflowHistory.transition == "cancel_by_town")
    assert (row.role, row.comment, row.actor_id) == ("admin", "Grève", admin.account_id)
    cell = next(c for c in planning(child.id, days[1], days[1]) if c.unit.id == repas.id)
    assert (cell.state, cell.reason_code, cell.reason) == ("closed", "closure", "Grève")
    with pytest.raises(bookings.RequestRefused) as refused:
        bookings.submit(
            f.parent_actor(h), [bookings.RequestSpec(child.id, [(repas.id, days[1], "book")])]
        )
    assert refused.value.problems[0].code == "closed"


def test_only_the_towns_admins_close_days(app):
    town, other = f.town(), f.town()
    day = f.open_days(n=1)[0]
    with pytest.raises(Forbidden):
        close_days(_admin(other), town.id, day, day, "Grève")
    with pytest.raises(Forbidden):
        close_days(_admin(town, roles="approver"), town.id, day, day, "Grève")


def test_a_closure_of_one_unit_leaves_the_others_of_its_site_open(app):
    town = f.town()
    h = f.household(town)
    child = h.children[0]
    repas, garderie = f.unit(town), f.unit(town, "GARDERIE MATIN")
    assert repas.site_id == garderie.site_id
    day = f.open_days(n=1)[0]
    bookings.submit(
        f.parent_actor(h),
        [bookings.RequestSpec(child.id, [(repas.id, day, "book"), (garderie.id, day, "book")])],
    )
    decisions.sweep()
    closure, cancelled = close_days(
        _admin(town), town.id, day, day, "Animateurs en formation", unit_id=garderie.id
    )
    assert cancelled == 1 and closure.site_id == garderie.site_id
    states = {b.unit_id: b.state for b in Booking.select()}
    assert states == {repas.id: "booked", garderie.id: "free"}
    cells = {c.unit.id: c for c in planning(child.id, day, day)}
    assert (cells[garderie.id].state, cells[garderie.id].reason) == (
        "closed",
        "Animateurs en formation",
    )
    assert cells[repas.id].state == "booked"

    other = f.town()
    with pytest.raises(WorkflowError):  # a unit of another town is not this town's to close
        close_days(_admin(town), town.id, day, day, "x", unit_id=f.unit(other).id)
