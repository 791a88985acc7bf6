"""The public side: news newest first and paginated, their Atom and RSS feeds, search in
French order (accents and case aside), the menus of the week per site, and the API."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

from models import utcnow
from workflows import content, menus, publication
from workflows.menus import DishInput

from .. import factories as f
from .conftest import Site

ATOM = "{http://www.w3.org/2005/Atom}"


def _news(site, n):
    now = utcnow()
    return [
        site.item(f"Nouvelle {i:02d}", effective_at=now - dt.timedelta(hours=i)) for i in range(n)
    ]


def test_news_newest_first_ten_a_page(site, client):
    _news(site, 12)
    first = client.get("/actualites").get_data(as_text=True)
    assert first.index("Nouvelle 00") < first.index("Nouvelle 09")
    assert "Nouvelle 10" not in first and "Page 1 sur 2" in first
    second = client.get("/actualites?page=2").get_data(as_text=True)
    assert "Nouvelle 10" in second and "Nouvelle 11" in second and "Nouvelle 00" not in second
    assert client.get("/actualites?page=3").status_code == 404
    assert client.get("/actualites?page=abc").status_code == 404
    r = client.get("/actualites")
    assert r.status_code == 200


def test_news_of_one_town_and_of_all(app, site, client):
    site.item("Chez nous")
    Site(app, f.town()).item("Chez les voisins")
    everyone = client.get("/actualites").get_data(as_text=True)
    assert "Chez nous" in everyone and "Chez les voisins" in everyone
    ours = client.get(f"/actualites?ville={site.town.slug}").get_data(as_text=True)
    assert "Chez nous" in ours and "Chez les voisins" not in ours
    assert client.get("/actualites?ville=inconnue").status_code == 404


def test_the_feeds_are_atom_and_rss(site, client):
    item = site.item("Repas de Noël à la cantine", summary="Un menu de fête.")
    atom = client.get("/actualites/flux.atom")
    assert atom.headers["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(atom.data)
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Repas de Noël à la cantine"
    link = entry.find(f"{ATOM}link").get("href")
    assert link.endswith(site.address(item))
    assert entry.find(f"{ATOM}summary").text == "Un menu de fête."
    rss = client.get("/actualites/flux.rss")
    assert rss.headers["Content-Type"].startswith("application/rss+xml")
    channel = ElementTree.fromstring(rss.data).find("channel")
    assert [i.find("title").text for i in channel.findall("item")] == [item.title]
    assert 'type="application/atom+xml"' in client.get("/actualites").get_data(as_text=True)


def test_search_ignores_accents_and_case_and_answers_in_french_order(site, client):
    for title in ("Zoé à l'école", "Élection des délégués", "École ouverte", "ecole du soir"):
        site.item(title, body="<div>Rentrée des écoles.</div>")
    site.item("Rien à voir", body="<div>Piscine</div>")
    site.item("École privée", state="private")
    html = client.get("/recherche", query_string={"q": "ECOLES"}).get_data(as_text=True)
    assert "4 résultats" in html
    order = [html.index(t) for t in ("ecole du soir", "École ouverte", "Élection", "Zoé")]
    assert order == sorted(order)
    assert "Rien à voir" not in html and "École privée" not in html
    assert "Aucun résultat" in client.get("/recherche?q=trampoline").get_data(as_text=True)
    assert client.get("/recherche?q=%25").status_code == 200  # LIKE's wildcards are text


def _menu(site, school, week, dishes, state="published"):
    item = site.item(
        "", kind="menu", state="private", folder=site.food, site_id=school.id, week_start=week
    )
    content.save_dishes(site.editor, item, dishes)
    if state != "private":
        publication.fire(site.editor, item, "submit")
        publication.fire(site.reviewer, item, "publish")
    return item


def test_the_menu_of_a_site_and_week_and_its_api(site, client):
    week = menus.monday(dt.date.today())
    jean_moulin, nougaro = site.town._demo["schools"]
    _menu(
        site,
        jean_moulin,
        week,
        [
            DishInput(week, "main", "Hachis parmentier", ("fait_maison",), ("milk",), ("viande",)),
            DishInput(week, "starter", "Carottes râpées", ("bio",), ("mustard",)),
            DishInput(week + dt.timedelta(days=1), "main", "Colin", (), ("fish",), ("poisson",)),
            DishInput(week + dt.timedelta(days=9), "main", "Hors semaine"),
        ],
    )
    _menu(site, nougaro, week, [DishInput(week, "main", "Lasagnes")])
    page = client.get(f"/menus/{jean_moulin.id}").get_data(as_text=True)
    assert "Hachis parmentier" in page and "Lasagnes" not in page and "Hors semaine" not in page
    assert page.index("Carottes râpées") < page.index("Hachis parmentier")  # starter first
    assert "Fait maison" in page and "Allergènes : Lait" in page
    listing = client.get("/menus").get_data(as_text=True)
    assert jean_moulin.name in listing and nougaro.name in listing
    api = client.get(
        "/api/v1/menus",
        query_string={
            "site": jean_moulin.id,
            "from": week.isoformat(),
            "to": (week + dt.timedelta(days=4)).isoformat(),
        },
    ).get_json()
    assert api["site"]["name"] == jean_moulin.name
    assert [d["date"] for d in api["days"]] == [
        week.isoformat(),
        (week + dt.timedelta(days=1)).isoformat(),
    ]
    monday = api["days"][0]["dishes"]
    hachis = next(d for d in monday if d["name"] == "Hachis parmentier")
    assert hachis == {
        "course": "main",
        "name": "Hachis parmentier",
        "labels": ["fait_maison"],
        "allergens": ["milk"],
        "contains": ["viande"],
    }
    assert api["allergens"]["milk"] == "Lait" and len(api["allergens"]) == 14
    default = client.get("/api/v1/menus", query_string={"site": jean_moulin.id}).get_json()
    assert default["from"] == menus.shown_week(dt.date.today()).isoformat()


def test_the_api_refuses_bad_input_in_json(client, site):
    for query, status in (
        ({}, 400),
        ({"site": "x"}, 400),
        ({"site": 999999}, 404),
        ({"site": site.town._demo["schools"][0].id, "from": "2027-13-01"}, 400),
        ({"site": site.town._demo["schools"][0].id, "from": "2027-01-10", "to": "2027-01-01"}, 400),
        ({"site": site.town._demo["schools"][0].id, "from": "2027-01-01", "to": "2027-06-01"}, 400),
    ):
        r = client.get("/api/v1/menus", query_string=query)
        assert r.status_code == status, query
        assert set(r.get_json()) == {"error", "message"}
    assert client.get("/api/v1/news?page=0").status_code == 400
    assert client.get("/api/v1/news?town=inconnue").status_code == 404


def test_the_news_api_gives_addresses_and_dates(site, client):
    item = site.item("Repas de Noël", summary="Fête", body="<div>Dinde</div>")
    data = client.get(f"/api/v1/news?town={site.town.slug}").get_json()
    assert data["total"] == 1 and data["pages"] == 1
    (got,) = data["items"]
    assert got["title"] == "Repas de Noël" and got["body_html"] == "<div>Dinde</div>"
    assert got["url"].endswith(site.address(item)) and got["published_at"].endswith("Z")
    assert client.get("/api/v1/sites").get_json()[0]["town"] == site.town.slug


def test_a_missing_page_is_a_french_404(client, site):
    r = client.get(f"/commune/{site.town.slug}/restauration/inexistant")
    assert r.status_code == 404
    assert "n'existe pas ou n'est pas publiée" in r.get_data(as_text=True).replace("&#39;", "'")
