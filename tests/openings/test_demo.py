"""The demo shows an opening in its collection window, with a few requests."""

from __future__ import annotations

from models.openings import Opening, OpeningRequest
from workflows.demo import create_demo
from workflows.openings import is_open


def test_the_demo_has_an_opening_collecting_requests(app):
    create_demo(households=8)
    (opening,) = Opening.select()
    assert opening.state == "collecting" and is_open(opening)
    assert OpeningRequest.select().count() >= 5
