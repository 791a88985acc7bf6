"""Staff on the phone with a parent open the household's file, see the child's week with the
parents' own planning component, select the week and send it for the family; the cells turn
yellow without a reload, then green once a real rq worker has decided."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import factories as f
from tests.conftest import run_worker
from workflows.planning import planning

from .conftest import staff_log_in

pytestmark = pytest.mark.browser


def test_staff_book_a_week_for_the_family(app, live_server, browser):
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
    assert len(week) >= 2
    staff = f.staff(town, "approver", email="agent@mairie.fr")

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page.set_default_timeout(15000)
    staff_log_in(page, live_server, staff.email, f.PASSWORD)
    page.goto(f"{live_server}/admin/dossier-foyer/{household.id}?vue=semaine&date={monday}")
    expect(page.get_by_role("heading", name=re.compile("Planning de Léa"))).to_be_visible()

    def cell(day):
        return page.locator(f'.cell[data-unit="{repas.id}"][data-date="{day.isoformat()}"]')

    for day in week:
        expect(cell(day)).to_contain_text("libre")
    page.get_by_role("button", name="Toute la semaine").click()
    expect(page.locator("#sel-summary")).to_have_text(
        f"{len(week)} jours sélectionnés : {len(week)} à réserver."
    )
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Envoyer pour la famille").click()
    expect(page.locator("#sel-message")).to_contain_text(
        re.compile(rf"Demande n° \d+ envoyée pour Léa \({len(week)} jours\)")
    )
    for day in week:
        expect(cell(day)).to_have_class(re.compile(r"\bst-requested\b"))
    run_worker()  # the validation the send enqueued
    for day in week:
        expect(cell(day)).to_have_class(re.compile(r"\bst-booked\b"))
    assert page.evaluate("window.__sameDocument === true"), "no reload"
    page.close()
