"""The request page refreshes itself: a day decided by the validator shows without the
parent reloading."""

from __future__ import annotations

import pytest

from tests import factories as f
from workflows import bookings, decisions

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_the_request_page_follows_its_decisions(app, live_server, browser):
    from playwright.sync_api import expect

    town = f.town()
    h = f.household(town, children=("Léa",))
    day = f.open_days(n=1)[0]
    (number,) = bookings.submit(
        f.parent_actor(h),
        [bookings.RequestSpec(h.children[0].id, [(f.unit(town).id, day, "book")])],
    )
    page = browser.new_page(viewport={"width": 390, "height": 800}, locale="fr-FR")
    page.set_default_timeout(15000)
    log_in(page, live_server, h._email, f.PASSWORD)
    page.goto(f"{live_server}/demandes/{number}")
    expect(page.locator("table.lines")).to_contain_text("en attente de validation")
    decisions.sweep()
    expect(page.locator("table.lines")).to_contain_text("acceptée")
