"""A parent books a whole week in a real chromium, sees it yellow, then green once a real rq
worker has validated it, cancels a day, sees it blue, then white: the last steps without
reloading the page (the planning polls its JSON)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import factories as f
from tests.conftest import run_worker
from workflows.planning import planning

from .conftest import log_in

pytestmark = pytest.mark.browser


def _cell(page, unit_id: int, day: dt.date):
    return page.locator(f'.cell[data-unit="{unit_id}"][data-date="{day.isoformat()}"]')


def _mark_page(page) -> None:
    """A flag that a reload would lose."""
    page.evaluate("window.__sameDocument = true")


def _same_page(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def test_book_a_week_then_cancel_a_day(app, live_server, browser):
    from playwright.sync_api import expect

    town = f.town()
    household = f.household(town, children=("Léa",))
    lea = household.children[0]
    repas = f.unit(town)
    monday = f.open_days(n=1)[0]
    monday -= dt.timedelta(days=monday.weekday())
    week = [
        c.date
        for c in planning(lea.id, monday, monday + dt.timedelta(days=6))
        if c.unit.id == repas.id and c.state == "free" and c.changeable
    ]
    assert len(week) >= 2, "a school week three weeks ahead has open days"

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page.set_default_timeout(15000)
    log_in(page, live_server, household._email, f.PASSWORD)
    expect(page.get_by_role("heading", name="Bonjour, famille Martin")).to_be_visible()

    # The week view of Léa's planning; "Toute la semaine" selects the week's meals.
    planning_url = f"{live_server}/enfants/{lea.id}/planning?vue=semaine&date={monday}"
    page.goto(planning_url)
    expect(page.get_by_role("heading", name="Planning de Léa")).to_be_visible()
    for day in week:
        expect(_cell(page, repas.id, day)).to_contain_text("libre")
        expect(_cell(page, repas.id, day)).to_contain_text("modifiable jusqu'au")
    page.get_by_role("button", name="Toute la semaine").click()
    expect(page.locator("#sel-summary")).to_have_text(
        f"{len(week)} jours sélectionnés : {len(week)} à réserver."
    )
    for day in week:
        expect(_cell(page, repas.id, day)).to_contain_text("sélectionné : à réserver")
    page.get_by_role("button", name="Ajouter au panier").click()
    expect(page.locator("#sel-message")).to_contain_text(f"{len(week)} jours ajoutés au panier.")
    for day in week:
        expect(_cell(page, repas.id, day)).to_contain_text("au panier : à réserver")
    expect(page.get_by_role("link", name=f"Panier ({len(week)})", exact=True)).to_be_visible()

    # The recap, then confirm.
    page.get_by_role("link", name=f"Panier ({len(week)})", exact=True).click()
    expect(page.get_by_role("heading", name="Votre panier")).to_be_visible()
    expect(page.locator("table.lines tbody tr")).to_have_count(len(week))
    page.get_by_role("button", name="Confirmer et envoyer").click()
    expect(page.get_by_text(re.compile(r"Demande n° \d+ envoyée\."))).to_be_visible()
    expect(page.locator("#request-state")).to_contain_text("envoyée, en cours de traitement")

    # Back on the planning: yellow, "demandé".
    page.goto(planning_url)
    for day in week:
        cell = _cell(page, repas.id, day)
        expect(cell).to_have_class(re.compile(r"\bst-requested\b"))
        expect(cell).to_contain_text("◷ demandé")
    _mark_page(page)

    # A real worker runs the validation job the send enqueued; the page turns green alone.
    run_worker()
    for day in week:
        cell = _cell(page, repas.id, day)
        expect(cell).to_have_class(re.compile(r"\bst-booked\b"))
        expect(cell).to_contain_text("✓ réservé")
    assert _same_page(page), "the cells changed without a reload"

    # Cancel one day: the green cell turns to "to cancel" in the selection.
    day = week[0]
    _cell(page, repas.id, day).click()
    expect(_cell(page, repas.id, day)).to_have_class(re.compile(r"\bsel-cancel\b"))
    expect(_cell(page, repas.id, day)).to_contain_text("sélectionné : à annuler")
    expect(page.locator("#sel-summary")).to_have_text("1 jour sélectionné : 1 à annuler.")
    page.get_by_role("button", name="Ajouter au panier").click()
    expect(page.locator("#sel-message")).to_contain_text("1 jour ajouté au panier.")
    page.get_by_role("link", name="Voir le panier et confirmer").click()
    expect(page.locator("table.lines tbody tr")).to_have_count(1)
    expect(page.locator("table.lines")).to_contain_text("Annuler")
    page.get_by_role("button", name="Confirmer et envoyer").click()
    expect(page.get_by_text(re.compile(r"Demande n° \d+ envoyée\."))).to_be_visible()

    page.goto(planning_url)
    cell = _cell(page, repas.id, day)
    expect(cell).to_have_class(re.compile(r"\bst-cancel_requested\b"))
    expect(cell).to_contain_text("✕ annulation demandée")
    for other in week[1:]:
        expect(_cell(page, repas.id, other)).to_have_class(re.compile(r"\bst-booked\b"))
    _mark_page(page)

    run_worker()
    expect(cell).to_have_class(re.compile(r"\bst-free\b"))
    expect(cell).to_contain_text("○ libre")
    assert _same_page(page), "the cell turned free without a reload"

    # Mes demandes: both requests processed.
    page.get_by_role("link", name="Mes demandes").click()
    expect(page.locator("table.requests tbody tr")).to_have_count(2)
    expect(page.locator("table.requests")).to_contain_text("traitée : acceptée")
    page.close()
