from models import Booking, RequestLine, WorkflowHistory
from workflows import bookings, decisions

from .. import factories as f


def test_a_freed_day_booked_again_belongs_to_the_new_line(app):
    town = f.town()
    h = f.household(town)
    child, repas, day = h.children[0], f.unit(town), f.open_days(n=1)[0]
    actor = f.parent_actor(h)

    def send(action: str) -> int:
        (number,) = bookings.submit(
            actor, [bookings.RequestSpec(child.id, [(repas.id, day, action)])]
        )
        return number

    send("book")
    assert decisions.sweep() == 1
    send("cancel")
    assert decisions.sweep() == 1
    assert Booking.get().state == "free"

    number = send("book")
    line = RequestLine.get(RequestLine.request == number)
    (booking,) = Booking.select()  # still one row for the cell, now the new line's
    assert (booking.state, booking.line_id, line.state) == ("requested", line.id, "pending")
    assert decisions.sweep() == 1
    assert Booking.get().state == "booked"
    assert RequestLine.get_by_id(line.id).state == "accepted"
    transitions = [
        h.transition
        for h in WorkflowHistory.select()
        .where(WorkflowHistory.workflow == "booking")
        .order_by(WorkflowHistory.id)
    ]
    assert transitions == ["request", "accept", "ask_cancel", "confirm_cancel", "request", "accept"]
