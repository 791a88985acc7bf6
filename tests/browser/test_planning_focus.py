"""The planning with a keyboard and a finger: the focus stays on "Ajouter au panier" once
the days are added, and a day that cannot be chosen says why next to itself (and in the
live region under the calendar)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories as f
from workflows.planning import planning

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_focus_stays_and_the_reason_is_next_to_the_cell(app, live_server, browser):
    from playwright.sync_api import expect

    town = f.town()
    h = f.household(town, children=("Léa",))
    lea, repas = h.children[0], f.unit(town)
    day = f.open_days(n=1)[0]
    today = dt.date.today()
    late = next(
        (
            c.date
            for c in planning(lea.id, today, today + dt.timedelta(days=40))
            if c.unit.id == repas.id and c.state == "free" and not c.changeable
        ),
        None,
    )
    page = browser.new_page(viewport={"width": 390, "height": 800}, locale="fr-FR")
    page.set_default_timeout(15000)
    log_in(page, live_server, h._email, f.PASSWORD)

    page.goto(f"{live_server}/enfants/{lea.id}/planning?vue=semaine&date={day}")
    cell = page.locator(f'.cell[data-unit="{repas.id}"][data-date="{day.isoformat()}"]')
    cell.click()
    add = page.locator("#add-basket")
    add.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#sel-message")).to_contain_text("ajouté au panier")
    assert page.evaluate("document.activeElement.id") == "add-basket"

    if late is None:
        pytest.skip("no day of the next weeks is past its deadline (holidays)")
    page.goto(f"{live_server}/enfants/{lea.id}/planning?vue=semaine&date={late}")
    late_cell = page.locator(f'.cell[data-unit="{repas.id}"][data-date="{late.isoformat()}"]')
    late_cell.click(force=True)  # aria-disabled: Playwright would wait for it to be enabled
    tip = page.locator(".cell-tip")
    expect(tip).to_contain_text("Délai dépassé")
    expect(page.locator("#sel-message")).to_contain_text("Délai dépassé")
    cell_box, tip_box = late_cell.bounding_box(), tip.bounding_box()
    assert 0 <= tip_box["y"] - (cell_box["y"] + cell_box["height"]) < 20, "right under the cell"
