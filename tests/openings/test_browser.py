"""A parent on a 390 px phone asks for days of the summer centre for two children kept
together, then, once the town has published the allocation, sees the outcome."""

from __future__ import annotations

import pytest

from models.openings import Opening
from workflows.accounts import actor_for
from workflows.opening_allocation import allocate, publish
from workflows.opening_demo import summer_opening

from .. import factories as f
from ..browser.conftest import browser, live_server, log_in  # noqa: F401 - fixtures
from .test_pages import WINDOW, close_now

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_parent_asks_on_a_phone_and_sees_the_outcome(town, centre, live_server, browser):  # noqa: F811
    opening = summer_opening(town, centre[1])
    h = f.household(town, "Petit", children=("Léa", "Hugo"))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    log_in(page, live_server, h._email, f.PASSWORD)
    page.goto(f"{live_server}/ouvertures/{opening.id}/demande")
    assert WINDOW in page.inner_text("main")
    _no_sideways_scroll(page)
    lea = page.get_by_role("group", name="Léa")
    lea.get_by_label("mar. 6 juil.").check()
    lea.get_by_label("mer. 7 juil.").check()
    page.get_by_role("group", name="Hugo").get_by_label("mar. 6 juil.").check()
    page.get_by_label("Garder mes enfants ensemble").check()
    page.get_by_role("button", name="Enregistrer ma demande").click()
    status = page.get_by_role("status")
    assert "Demande enregistrée" in status.inner_text()
    assert "Léa : demande n°" in status.inner_text()

    close_now(opening)
    allocate(opening.id)
    publish(Opening.get_by_id(opening.id), actor_for(f.staff(town, "admin")))
    page.goto(f"{live_server}/ouvertures/{opening.id}/demande")
    main = page.inner_text("main")
    assert "Résultat de l'attribution" in main
    assert main.count("place attribuée") == 3
    _no_sideways_scroll(page)
    page.goto(f"{live_server}/ouvertures/{opening.id}")
    assert Opening.get_by_id(opening.id).seed in page.inner_text("main")
    _no_sideways_scroll(page)
    import os

    if os.environ.get("OPENING_SHOT"):
        page.screenshot(path=os.environ["OPENING_SHOT"], full_page=True)
    context.close()
