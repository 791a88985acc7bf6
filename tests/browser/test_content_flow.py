"""Content in a real chromium: an editor writes a news item with the rich-text editor and
submits it, a reviewer publishes it, a parent sees it on the home page with the week's menu
of their child's site, a visitor on /actualites; and axe-core finds no critical or serious
accessibility violation on the home, /actualites, a news item and a menu page."""

from __future__ import annotations

import datetime as dt

import pytest

from models import Child
from tests import factories as f
from tests.content.conftest import Site
from workflows import content, menus, publication
from workflows.calendar import PARIS
from workflows.menus import DishInput

from .conftest import log_in, staff_log_in

pytestmark = pytest.mark.browser


def _staff_log_in(page, base_url: str, email: str) -> None:
    staff_log_in(page, base_url, email, f.PASSWORD)


def _menu(site, school, week, name):
    item = site.item(
        "", kind="menu", state="private", folder=site.food, site_id=school.id, week_start=week
    )
    content.save_dishes(
        site.editor,
        item,
        [
            DishInput(week, "main", name, ("fait_maison",), ("milk",), ("viande",)),
            DishInput(week + dt.timedelta(days=1), "main", "Sauté de porc", (), (), ("porc",)),
        ],
    )
    publication.fire(site.editor, item, "submit")
    publication.fire(site.reviewer, item, "publish")


def _serious(axe, page) -> list[str]:
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("critical", "serious")
    ]


def test_write_review_publish_and_read(app, live_server, browser, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    app.config["CONTENT_DIR"] = str(tmp_path / "content")
    town = f.town()
    site = Site(app, town)
    household = f.household(town, children=("Léa",))
    lea = household.children[0]
    Child.update(meal_option="sans porc").where(Child.id == lea.id).execute()
    week = menus.shown_week(dt.datetime.now(PARIS).date())
    ours, theirs = town._demo["schools"]
    _menu(site, ours, week, "Hachis parmentier")
    _menu(site, theirs, week, "Lasagnes de l'autre école")

    # The editor writes in the rich-text editor, saves, submits.
    editor = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    editor.set_default_timeout(15000)
    _staff_log_in(editor, live_server, site.editor_account.email)
    editor.goto(f"{live_server}/admin/contenus/nouveau?type=news")
    editor.get_by_label("Dossier", exact=True).select_option(label="Vie de la commune")
    editor.get_by_label("Titre", exact=True).fill("Fête de fin d'année")
    editor.get_by_label("Résumé").fill("Samedi, dans la cour de l'école.")
    body = editor.locator("trix-editor")
    body.click()
    editor.keyboard.type("Venez ")
    bold = editor.get_by_role("button", name="Gras")  # the editor's buttons are in French
    bold.click()
    editor.keyboard.type("nombreux")
    bold.click()
    editor.keyboard.type(" !")
    expect(body.locator("strong")).to_have_text("nombreux")
    editor.get_by_role("button", name="Enregistrer").click()
    expect(editor.locator("#state")).to_have_text("Privé")
    editor.get_by_role("button", name="Soumettre à la relecture").click()
    expect(editor.locator("#state")).to_have_text("En attente de relecture")
    expect(editor.get_by_role("button", name="Publier")).to_have_count(0)

    # The reviewer finds it in "À relire" and publishes it.
    reviewer = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    reviewer.set_default_timeout(15000)
    _staff_log_in(reviewer, live_server, site.reviewer_account.email)
    expect(reviewer.locator("#a-relire")).to_contain_text("À relire : 1 contenu")
    reviewer.locator("#a-relire a").click()
    reviewer.get_by_role("link", name="Fête de fin d'année").click()
    expect(reviewer.locator(".rich strong")).to_have_text("nombreux")
    reviewer.get_by_role("button", name="Publier").click()
    expect(reviewer.locator(".alert-success, .alert")).to_contain_text("publié")

    # The parent sees it on the home page, with the week's menu of Léa's school.
    axe = Axe()
    parent = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    parent.set_default_timeout(15000)
    log_in(parent, live_server, household._email, f.PASSWORD)
    news = parent.locator(".home-news")
    expect(news).to_contain_text("Fête de fin d'année")
    menu = parent.locator(f'.home-menu[data-site="{ours.id}"]')
    expect(menu).to_contain_text("Hachis parmentier")
    expect(menu.locator(".conflict")).to_contain_text("Léa : sans porc")
    expect(parent.locator(".home-menus")).not_to_contain_text("Lasagnes")
    assert _serious(axe, parent) == [], "the home"

    # A visitor reads it on /actualites and at its address; and the menu page.
    visitor = browser.new_page(viewport={"width": 390, "height": 844}, locale="fr-FR")
    visitor.set_default_timeout(15000)
    visitor.goto(f"{live_server}/actualites")
    expect(visitor.get_by_role("link", name="Fête de fin d'année")).to_be_visible()
    assert _serious(axe, visitor) == [], "/actualites"
    visitor.get_by_role("link", name="Fête de fin d'année").click()
    expect(visitor.get_by_role("heading", name="Fête de fin d'année")).to_be_visible()
    expect(visitor.locator(".rich strong")).to_have_text("nombreux")
    assert _serious(axe, visitor) == [], "a news item"
    visitor.goto(f"{live_server}/menus/{ours.id}")
    expect(visitor.locator(".menu-week")).to_contain_text("Hachis parmentier")
    assert _serious(axe, visitor) == [], "a menu page"
