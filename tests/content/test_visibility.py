"""Only published content whose publication date has come and whose expiry date has not is
ever shown to parents and visitors: the matrix of each state × each reader × each way in
(list, item page, feed, search, API). Staff of the item's town who write or review content
see a preview at its address, and only there."""

from __future__ import annotations

import pytest

from models.content import ContentItem

from .. import factories as f
from .conftest import Site

STATES = ["private", "pending", "published", "expired", "not_yet"]
READERS = ["visitor", "parent", "editor", "reviewer", "other_town_staff"]


def _client(reader, site, auth, client):
    if reader == "visitor":
        return client
    if reader == "parent":
        return auth.parent(f.household(site.town))
    if reader == "editor":
        return auth.login(site.editor_account)
    if reader == "reviewer":
        return auth.login(site.reviewer_account)
    return auth.staff(f.town(), "editor,reviewer,admin")


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("state", STATES)
def test_visibility_matrix(state, reader, site, auth, client):
    # A word of its own, so that search finds this item and nothing else.
    item = site.item(
        "Kermesse zygomatique",
        state=state,
        summary="La fête de fin d'année.",
        body="<div>Une journée zygomatique pour tous.</div>",
    )
    shown = state == "published"
    c = _client(reader, site, auth, client)

    listed = c.get("/actualites").get_data(as_text=True)
    assert ("Kermesse zygomatique" in listed) is shown, "list"

    page = c.get(site.address(item))
    preview = reader in ("editor", "reviewer") and not shown
    if shown:
        assert page.status_code == 200
        assert "Aperçu" not in page.get_data(as_text=True)
    elif preview:
        assert page.status_code == 200
        assert "Aperçu" in page.get_data(as_text=True)
        assert page.headers["Cache-Control"] == "private, no-store"
    else:
        assert page.status_code == 404, "item page"
        assert "zygomatique" not in page.get_data(as_text=True)

    feed = c.get("/actualites/flux.atom").get_data(as_text=True)
    assert ("Kermesse zygomatique" in feed) is shown, "feed"
    rss = c.get("/actualites/flux.rss").get_data(as_text=True)
    assert ("Kermesse zygomatique" in rss) is shown, "rss"

    found = c.get("/recherche", query_string={"q": "zygomatique"}).get_data(as_text=True)
    assert ("Kermesse zygomatique" in found) is shown, "search"

    api = c.get("/api/v1/news").get_json()
    assert ([i["title"] for i in api["items"]] == ["Kermesse zygomatique"]) is shown, "API"
    assert api["total"] == (1 if shown else 0)


@pytest.mark.parametrize("state", ["private", "pending", "expired", "not_yet"])
def test_a_hidden_document_and_menu_are_not_reachable_either(state, app, site, client):
    """The document's file, the folder's list, the documents page and the menus (page
    and API) answer as if the item did not exist."""
    doc = site.item("Projet éducatif", state=state, kind="document", folder=site.food)
    week = f.open_days(n=1)[0]
    school = site.town._demo["schools"][0]
    menu = site.item(
        "", state=state, kind="menu", folder=site.food, site_id=school.id, week_start=week
    )
    assert client.get(site.address(doc)).status_code == 404
    assert client.get(site.address(doc) + "/fichier").status_code == 404
    assert client.get(site.address(menu)).status_code == 404
    assert "Projet éducatif" not in client.get("/documents").get_data(as_text=True)
    folder_page = client.get(f"/commune/{site.town.slug}/restauration")
    assert "Projet éducatif" not in folder_page.get_data(as_text=True)
    menu_page = client.get(f"/menus/{school.id}", query_string={"semaine": week.isoformat()})
    assert "Aucun menu" in menu_page.get_data(as_text=True)
    days = client.get(
        "/api/v1/menus",
        query_string={"site": school.id, "from": week.isoformat(), "to": week.isoformat()},
    ).get_json()["days"]
    assert days == []
    assert ContentItem.get_by_id(menu.id).kind == "menu"


def test_the_same_document_and_menu_once_published(app, site, client):
    doc = site.item("Projet éducatif", kind="document", folder=site.food)
    assert client.get(site.address(doc)).status_code == 200
    file = client.get(site.address(doc) + "/fichier")
    assert file.status_code == 200
    assert file.headers["Content-Type"] == "application/pdf"
    file.close()
    assert "Projet éducatif" in client.get("/documents").get_data(as_text=True)


def test_a_guessed_address_in_another_town_is_not_found(site, client, app):
    item = site.item("Chez nous", state="private")
    other = Site(app, f.town())
    assert (
        client.get(f"/commune/{other.town.slug}/vie-de-la-commune/{item.slug}").status_code == 404
    )
    assert client.get("/commune/nulle-part/vie-de-la-commune/x").status_code == 404
    assert client.get(f"/commune/{site.town.slug}/vie-de-la-commune/x/y/z").status_code == 404
