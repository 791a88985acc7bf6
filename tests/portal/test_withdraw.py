"""A parent takes back days of a request still waiting for a decision."""

from models import Booking, Request, RequestLine
from workflows import bookings, decisions, sent_requests

from .. import factories as f


def _sent(parent, town, n=3):
    days = f.open_days(n=n)
    (number,) = bookings.submit(
        f.parent_actor(parent.household),
        [bookings.RequestSpec(parent.child.id, [(f.unit(town).id, d, "book") for d in days])],
    )
    return number, days


def test_parent_withdraws_pending_days_and_they_are_free_again(parent, town):
    number, days = _sent(parent, town)
    page = parent.client.get(f"/demandes/{number}").get_data(as_text=True)
    assert "Retirer les jours cochés" in page
    first = RequestLine.get(RequestLine.request == number, RequestLine.date == days[0])
    resp = parent.post(
        f"/demandes/{number}/retirer", {"line": str(first.id)}, follow_redirects=True
    )
    html = resp.get_data(as_text=True)
    assert "1 jour(s) retiré(s) de la demande." in html
    assert "retirée par vous" in html
    states = {b.date: b.state for b in Booking.select()}
    assert states == {days[0]: "free", days[1]: "requested", days[2]: "requested"}
    decisions.sweep()
    assert RequestLine.get_by_id(first.id).state == "withdrawn"
    assert {b.date: b.state for b in Booking.select()}[days[1]] == "booked"
    assert Request.get_by_id(number).summary == "accepted"


def test_withdrawing_every_day_closes_the_request_as_withdrawn(parent, town):
    number, _ = _sent(parent, town, n=2)
    ids = [str(line.id) for line in RequestLine.select().where(RequestLine.request == number)]
    parent.post(f"/demandes/{number}/retirer", {"line": ids})
    req = Request.get_by_id(number)
    assert (req.state, req.summary) == ("done", "withdrawn")
    assert {b.state for b in Booking.select()} == {"free"}


def test_another_household_cannot_withdraw(parent, other_parent, town):
    number, _ = _sent(parent, town, n=1)
    line = RequestLine.get(RequestLine.request == number)
    resp = other_parent.post(f"/demandes/{number}/retirer", {"line": str(line.id)})
    assert resp.status_code == 404
    assert RequestLine.get_by_id(line.id).state == "pending"
    assert Booking.get().state == "requested"


def test_a_late_withdrawal_is_refused_with_the_deadline(parent, town):
    import datetime as dt

    number, days = _sent(parent, town, n=1)
    line = RequestLine.get(RequestLine.request == number)
    late = f.unit(town)
    from workflows.units import unit_infos

    deadline = unit_infos([late.id])[late.id].book_deadline.for_day(days[0])
    done, problems = sent_requests.withdraw_lines(
        f.parent_actor(parent.household),
        parent.household.id,
        [line.id],
        now=deadline + dt.timedelta(minutes=1),
    )
    assert done == 0
    assert problems[0][1].startswith("Délai dépassé : il fallait retirer ce jour avant le ")
    assert Booking.get().state == "requested"
