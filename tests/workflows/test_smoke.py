from models import Booking, Request, RequestLine
from workflows import bookings, decisions

from .. import factories as f


def test_send_then_sweep_books_the_days(app):
    town = f.town()
    h = f.household(town)
    child = h.children[0]
    repas = f.unit(town)
    days = f.open_days()
    actor = f.parent_actor(h)
    (number,) = bookings.submit(
        actor, [bookings.RequestSpec(child.id, [(repas.id, d, "book") for d in days])]
    )
    assert Request.get_by_id(number).state == "sent"
    assert {b.state for b in Booking.select()} == {"requested"}
    assert decisions.sweep() == len(days)
    assert {b.state for b in Booking.select()} == {"booked"}
    assert {line.state for line in RequestLine.select()} == {"accepted"}
    req = Request.get_by_id(number)
    assert (req.state, req.summary) == ("done", "accepted")
