"""Capacity and the waiting list, decided by the validator in one batch."""

from __future__ import annotations

from models import Booking, RequestLine, Unit
from workflows import bookings, decisions

from .. import factories as f


def _ask(h, unit, day, action="book"):
    child = h.children[0]
    bookings.submit(f.parent_actor(h), [bookings.RequestSpec(child.id, [(unit.id, day, action)])])
    return Booking.get(Booking.child == child, Booking.unit == unit, Booking.date == day)


def test_a_cancellation_admits_the_first_waiting_even_beside_new_requests(app):
    """A cancellation and a new request for the same full day, decided in one batch: the
    place freed goes to the first on the waiting list, the newcomer waits behind."""
    town = f.town()
    repas, day = f.unit(town), f.open_days(n=1)[0]
    Unit.update(capacity=1, waiting_list=True).where(Unit.id == repas.id).execute()
    a, b, c = (f.household(town, name=n) for n in ("Martin", "Durand", "Petit"))
    booked = _ask(a, repas, day)
    decisions.sweep()
    first = _ask(b, repas, day)
    decisions.sweep()
    assert (Booking.get_by_id(booked.id).state, Booking.get_by_id(first.id).state) == (
        "booked",
        "waiting",
    )

    newcomer = _ask(c, repas, day)  # the same batch as...
    _ask(a, repas, day, action="cancel")  # ...this cancellation
    assert decisions.sweep() == 2

    states = {
        x.id: (Booking.get_by_id(x.id).state, Booking.get_by_id(x.id).rank)
        for x in (booked, first, newcomer)
    }
    assert states == {
        booked.id: ("free", None),
        first.id: ("booked", None),
        newcomer.id: ("waiting", 1),  # moved up: the first in line was admitted
    }
    assert RequestLine.get_by_id(Booking.get_by_id(first.id).line_id).state == "accepted"
    assert (
        Booking.select()
        .where(Booking.unit == repas, Booking.date == day, Booking.state == "booked")
        .count()
        == 1
    )


def test_a_pending_cancellation_keeps_its_place_until_confirmed(app):
    """While a cancellation waits, the place is still taken: if the cancellation is then
    refused (sent too late), the day must not end with more children than places."""
    import datetime as dt

    from workflows.calendar import Deadline, to_utc_naive

    town = f.town()
    repas, day = f.unit(town), f.open_days(n=1)[0]
    Unit.update(capacity=1).where(Unit.id == repas.id).execute()
    a, c = f.household(town, name="Martin"), f.household(town, name="Petit")
    booked = _ask(a, repas, day)
    decisions.sweep()
    _ask(a, repas, day, action="cancel")
    late = to_utc_naive(Deadline(3).for_day(day) + dt.timedelta(minutes=1))
    RequestLine.update(sent_at=late).where(RequestLine.action == "cancel").execute()
    newcomer = _ask(c, repas, day)

    assert decisions.sweep() == 2

    assert Booking.get_by_id(booked.id).state == "booked"  # the cancellation came too late
    newcomer = Booking.get_by_id(newcomer.id)
    assert (newcomer.state, newcomer.refusal_code) == ("free", "full")
    assert (
        Booking.select()
        .where(Booking.unit == repas, Booking.date == day, Booking.state == "booked")
        .count()
        == 1
    )
