"""'Retirer' on a day decided meanwhile says why nothing was withdrawn."""

from models import Booking, RequestLine
from workflows import bookings, decisions

from .. import factories as f


def test_withdrawing_a_day_decided_meanwhile_says_why(parent, town):
    day = f.open_days(n=1)[0]
    (number,) = bookings.submit(
        f.parent_actor(parent.household),
        [bookings.RequestSpec(parent.child.id, [(f.unit(town).id, day, "book")])],
    )
    line = RequestLine.get(RequestLine.request == number)
    page = parent.client.get(f"/demandes/{number}").get_data(as_text=True)
    assert f'value="{line.id}"' in page  # the box was there when the page was read
    decisions.sweep()  # ...and the town decided before the parent clicked
    resp = parent.post(f"/demandes/{number}/retirer", {"line": str(line.id)}, follow_redirects=True)
    html = resp.get_data(as_text=True).replace("&#39;", "'")
    assert "n'a pas été retiré : la demande a déjà été traitée (acceptée)." in html
    assert Booking.get().state == "booked"
