"""The parents' home: the town's news, this week's menu at each child's site with the
child's meal option and PAI marked, the requests still pending, the amount due with
"Payer", the next booking deadlines (units.until), the documents "à lire"; each block
links to its full page."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from models import Child
from models.content import ChildAllergen
from workflows import bookings, content, dashboard, menus, publication
from workflows.calendar import PARIS, format_date_fr, format_deadline_fr
from workflows.content_files import Upload
from workflows.menus import DishInput
from workflows.planning import enrolled
from workflows.units import until

from .. import factories as f
from ..billing.helpers import issued_invoice
from .conftest import Site, pdf_bytes


@pytest.fixture
def home_town(app, tmp_path):
    app.config["CONTENT_DIR"] = str(tmp_path / "content")
    town, household, invoice = issued_invoice(children=("Léa", "Hugo"))
    return Site(app, town), household, invoice


def _week_menu(site, school, week, dishes):
    item = site.item(
        "", kind="menu", state="private", folder=site.food, site_id=school.id, week_start=week
    )
    content.save_dishes(site.editor, item, dishes)
    publication.fire(site.editor, item, "submit")
    publication.fire(site.reviewer, item, "publish")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_home_shows_every_block_of_the_family(home_town, auth, app):
    site, household, invoice = home_town
    lea, hugo = sorted(household.children, key=lambda c: c.first_name, reverse=True)
    assert (lea.first_name, hugo.first_name) == ("Léa", "Hugo")
    Child.update(meal_option="sans porc").where(Child.id == lea.id).execute()
    Child.update(has_pai=True).where(Child.id == hugo.id).execute()
    ChildAllergen.create(child=hugo.id, allergen="eggs")
    week = menus.shown_week(dt.datetime.now(PARIS).date())
    jean_moulin, nougaro = site.town._demo["schools"]
    _week_menu(
        site,
        jean_moulin,
        week,
        [
            DishInput(week, "main", "Hachis parmentier", (), ("milk",), ("viande",)),
            DishInput(week + dt.timedelta(days=1), "main", "Sauté de porc", (), (), ("porc",)),
            DishInput(week + dt.timedelta(days=3), "dessert", "Tarte aux pommes", (), ("eggs",)),
        ],
    )
    _week_menu(site, nougaro, week, [DishInput(week, "main", "Lasagnes de l'autre école")])
    site.item("Repas de Noël à la cantine", summary="Un menu de fête.")
    site.item("Brouillon caché", state="private")
    site.item(
        "Règlement intérieur",
        kind="page",
        folder=site.food,
        to_read=True,
        files=site.files(document=Upload("r.pdf", pdf_bytes())),
    )
    site.item("Guide des activités", kind="document", folder=site.food)  # not "à lire"
    day = f.open_days(n=1)[0]
    (number,) = bookings.submit(
        f.parent_actor(household),
        [bookings.RequestSpec(lea.id, [(f.unit(site.town).id, day, "book")])],
    )

    html = auth.parent(household).get("/").get_data(as_text=True)
    text = _text(html)
    assert "Bonjour, famille Martin" in text
    # news of the town, the draft hidden, the block's full page linked
    assert "Repas de Noël à la cantine" in text and "Brouillon caché" not in text
    assert f"/actualites?ville={site.town.slug}" in html
    # this week's menu at the children's site, not the other school's
    assert "Hachis parmentier" in text and "Lasagnes de l" not in text
    assert f"{jean_moulin.name} (Hugo, Léa)" in text or f"{jean_moulin.name} (Léa, Hugo)" in text
    assert "Sauté de porc ⚠ Léa : sans porc" in text
    assert "Tarte aux pommes Allergènes : Œufs ⚠ Hugo : PAI : Œufs" in text
    assert "Hachis parmentier Allergènes : Lait ⚠" not in text
    assert f"/menus/{jean_moulin.id}?semaine={week.isoformat()}" in html
    # the pending request
    assert f"Demande n° {number}" in text
    # the amount due and its button, which posts the open invoice to the payment page
    assert "Montant à payer" in text
    assert f'name="invoice" value="{invoice.id}"' in html and ">Payer</button>" in html
    # the documents to read
    assert "Règlement intérieur" in text and "Guide des activités" not in text


def test_the_deadlines_are_the_rules_own(home_town):
    site, household, _ = home_town
    lea = household.children[0]
    now = dt.datetime.now(PARIS)
    lines = dashboard.next_deadlines(list(household.children), now)
    assert lines, "the coming weeks have deadlines ahead"
    found = enrolled(lea.id, lines[0].week, lines[0].week + dt.timedelta(days=6))
    repas = next(u for u in found.units.values() if u.code == "REPAS")
    line = next(line for line in lines if "Repas" in line.units)
    day = next(
        line.week + dt.timedelta(days=i)
        for i in range(7)
        if repas.closed_reason(line.week + dt.timedelta(days=i)) is None
    )
    expected = until(repas, "book", day, now)
    assert line.at == expected.at and not expected.passed
    assert line.text == (
        f"Semaine du {format_date_fr(line.week, 'd MMMM')} : réservez avant le "
        f"{format_deadline_fr(expected.at)}"
    )
    assert all(a.at <= b.at for a, b in zip(lines, lines[1:], strict=False))


def test_a_family_with_nothing_sees_quiet_blocks(app, auth, tmp_path):
    app.config["CONTENT_DIR"] = str(tmp_path / "content")
    town = f.town()
    h = f.household(town, children=("Zoé",))
    text = _text(auth.parent(h).get("/").get_data(as_text=True))
    assert "Rien à payer pour le moment." in text
    assert "Aucune demande en attente de réponse." in text
    assert "Aucune actualité pour le moment." in text
    assert "Aucun menu publié cette semaine" in text
    assert "Aucun document à lire." in text
