"""A send whose every line loses a race is refused as a whole: nothing is written and the
caller hears why (the API's 409), instead of a request born refused."""

from __future__ import annotations

import threading
import time

import pytest

from models import Booking, Request, RequestLine, database, transaction
from workflows import bookings

from .. import factories as f


def test_the_loser_of_a_race_gets_the_reasons_and_nothing_is_written(app):
    town = f.town()
    h = f.household(town)
    child, repas, day = h.children[0], f.unit(town), f.open_days(n=1)[0]
    actor = f.parent_actor(h)
    spec = [bookings.RequestSpec(child.id, [(repas.id, day, "book")])]
    winner_holds = threading.Event()
    outcome: dict = {}

    def winner() -> None:
        database.connect(reuse_if_open=True)
        try:
            with transaction():  # sent, and not committed until the loser has checked
                outcome["winner"] = bookings.submit(actor, spec)
                winner_holds.set()
                time.sleep(1.0)
        finally:
            database.close()

    thread = threading.Thread(target=winner)
    thread.start()
    assert winner_holds.wait(timeout=30)
    # The loser's checks see a free cell (the winner has not committed); its send waits
    # for the winner's commit and finds the cell taken.
    with pytest.raises(bookings.RequestRefused) as refused:
        bookings.submit(actor, spec)
    thread.join(timeout=30)

    assert [(p.code, p.message_fr) for p in refused.value.problems] == [
        ("already_booked", "Ce jour est déjà réservé ou une demande est déjà en cours.")
    ]
    assert len(outcome["winner"]) == 1
    assert Request.select().count() == 1
    assert RequestLine.select().count() == 1
    assert Booking.get().state == "requested"
