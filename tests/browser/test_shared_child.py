"""A child shared by two homes, in a real chromium, seen from each household: the other
home's week is marked "Chez l'autre parent" and cannot be selected; each books its own
week; the other household's address never shows."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models import Household
from tests import factories as f
from tests.custody.helpers import monday_of, shared_child

from .conftest import log_in

pytestmark = pytest.mark.browser


def _cell(page, unit_id: int, day: dt.date):
    return page.locator(f'.cell[data-unit="{unit_id}"][data-date="{day.isoformat()}"]')


def _week(page, base, child, monday):
    page.goto(f"{base}/enfants/{child.id}/planning?vue=semaine&date={monday}")


def test_a_shared_child_seen_from_each_household(app, live_server, browser):
    from playwright.sync_api import expect

    town = f.town()
    first_day = f.open_days(n=1, weekdays="1")[0]  # a Monday of a school week
    martin_week = monday_of(first_day)
    martin, durand, lea = shared_child(town, start=martin_week)
    Household.update(address="12 rue des Lilas").where(Household.id == martin.id).execute()
    durand_week = martin_week + dt.timedelta(days=7)
    repas = f.unit(town).id
    school = [d for d in f.open_days(n=10, after=martin_week) if d < martin_week + dt.timedelta(14)]
    mine = [d for d in school if d < durand_week]
    theirs = [d for d in school if d >= durand_week]
    assert mine and theirs

    # Martin: its week is free to book, Durand's week is marked and cannot be chosen
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page.set_default_timeout(15000)
    log_in(page, live_server, martin._email, f.PASSWORD)
    _week(page, live_server, lea, durand_week)
    for day in theirs:
        cell = _cell(page, repas, day)
        expect(cell).to_have_class(re.compile(r"\bother-home\b"))
        expect(cell).to_contain_text("Chez l'autre parent")
        expect(cell).to_have_attribute("aria-disabled", "true")
    _cell(page, repas, theirs[0]).click(force=True)  # a parent may still tap it
    expect(_cell(page, repas, theirs[0])).not_to_have_class(re.compile(r"\bsel-book\b"))
    expect(page.locator(".cell-tip")).to_have_text("L'enfant est chez l'autre parent ce jour-là.")
    _week(page, live_server, lea, martin_week)
    for day in mine:
        expect(_cell(page, repas, day)).not_to_have_class(re.compile(r"\bother-home\b"))
    _cell(page, repas, mine[0]).click()
    page.get_by_role("button", name="Ajouter au panier").click()
    expect(page.locator("#sel-message")).to_contain_text("1 jour ajouté au panier.")
    page.get_by_role("link", name="Voir le panier et confirmer").click()
    page.get_by_role("button", name="Confirmer et envoyer").click()
    expect(page.get_by_text(re.compile(r"Demande n° \d+ envoyée\."))).to_be_visible()

    # Durand: Léa is on its home page; Martin's week is marked (its request shows as the
    # child's state, never as a request of Durand's), its own week is bookable
    other = browser.new_page(viewport={"width": 390, "height": 844}, locale="fr-FR")
    other.set_default_timeout(15000)
    log_in(other, live_server, durand._email, f.PASSWORD)
    expect(other.locator("body")).to_contain_text("Léa")
    _week(other, live_server, lea, martin_week)
    expect(other.get_by_role("heading", name="Planning de Léa")).to_be_visible()
    booked = _cell(other, repas, mine[0])
    expect(booked).to_have_class(re.compile(r"\bother-home\b"))
    expect(booked).to_contain_text("Chez l'autre parent")
    expect(other.locator("body")).not_to_contain_text("12 rue des Lilas")
    _week(other, live_server, lea, durand_week)
    cell = _cell(other, repas, theirs[0])
    expect(cell).not_to_have_class(re.compile(r"\bother-home\b"))
    expect(cell).to_contain_text("modifiable jusqu'au")
    cell.click()
    expect(cell).to_have_class(re.compile(r"\bsel-book\b"))
    other.goto(f"{live_server}/demandes")
    expect(other.locator("body")).not_to_contain_text("Léa")  # Martin's request is not Durand's
