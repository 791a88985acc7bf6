"""The admin's content screens: an editor writes and submits, a reviewer sees it in "À
relire" (with its count on the admin home) and publishes or sends it back; the buttons are
the workflow's own answers, the history is on the item, each town sees its own."""

from __future__ import annotations

import datetime as dt

from models import Child
from models.content import ChildAllergen, ContentItem, Dish
from models.outbox import OutgoingMail
from workflows import content, menus, publication
from workflows.accounts import actor_for

from .. import factories as f
from ..forms import csrf_token


def _post(client, page: str, action: str, data: dict, **kw):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token}, **kw)


def _fire(client, item_id: int, transition: str, comment: str = ""):
    page = f"/admin/contenus/{item_id}"
    return _post(client, page, f"{page}/transition", {"transition": transition, "comment": comment})


def test_write_submit_review_publish_through_the_admin(site, auth, client):
    editor = auth.login(site.editor_account)
    r = _post(
        editor,
        "/admin/contenus/nouveau?type=news",
        "/admin/contenus/nouveau",
        {
            "kind": "news",
            "folder": site.news_folder.id,
            "title": "Fête de l'école",
            "summary": "Samedi 20 juin.",
            "body": "<div>Venez <strong>nombreux</strong>.</div>",
            "effective_at": "",
        },
    )
    assert r.status_code == 302
    item = ContentItem.get(ContentItem.title == "Fête de l'école")
    assert item.state == "private" and item.slug == "fete-de-l-ecole"
    page = editor.get(f"/admin/contenus/{item.id}").get_data(as_text=True)
    assert "Soumettre à la relecture" in page and ">Publier<" not in page
    assert _fire(editor, item.id, "submit").status_code == 302
    assert ContentItem.get_by_id(item.id).state == "pending"
    mail = OutgoingMail.get(OutgoingMail.kind == "content_submitted")
    assert mail.recipients == site.reviewer_account.email
    assert f"/admin/contenus/{item.id}" in mail.text

    # The editor cannot publish, even by posting the form.
    refused = _fire(editor, item.id, "publish")
    assert refused.status_code == 403
    assert ContentItem.get_by_id(item.id).state == "pending"

    reviewer = auth.login(site.reviewer_account)
    home = reviewer.get("/admin/").get_data(as_text=True)
    assert "À relire : 1 contenu en attente de relecture" in home and "actualité : 1" in home
    worklist = reviewer.get("/admin/a-relire/").get_data(as_text=True)
    assert "Fête de l&#39;école" in worklist and site.editor_account.email in worklist
    assert "Aperçu" in reviewer.get(
        f"/commune/{site.town.slug}/vie-de-la-commune/fete-de-l-ecole"
    ).get_data(as_text=True)
    assert _fire(reviewer, item.id, "publish").status_code == 302
    assert ContentItem.get_by_id(item.id).state == "published"
    assert "Fête de l&#39;école" in client.get("/actualites").get_data(as_text=True)
    history = reviewer.get(f"/admin/contenus/{item.id}").get_data(as_text=True)
    history = history.split('id="history"', 1)[1]
    for words in ("Créer", "Soumettre à la relecture", "Publier", site.reviewer_account.email):
        assert words in history
    assert "À relire : 0" in reviewer.get("/admin/").get_data(as_text=True)


def test_send_back_needs_a_comment_on_the_screen_too(site, auth):
    item = site.item("À revoir", state="pending")
    reviewer = auth.login(site.reviewer_account)
    r = _fire(reviewer, item.id, "send_back", "")
    assert r.status_code == 409
    assert "commentaire obligatoire" in r.get_data(as_text=True)
    assert _fire(reviewer, item.id, "send_back", "Il manque la date.").status_code == 302
    assert ContentItem.get_by_id(item.id).state == "private"
    page = auth.login(site.editor_account).get(f"/admin/contenus/{item.id}").get_data(as_text=True)
    assert "Il manque la date." in page and "Renvoyer au rédacteur" in page


def test_a_reviewer_is_not_offered_to_publish_their_own_submission(site, auth):
    admin = f.staff(site.town, "admin")
    client = auth.login(admin)
    data = content.ItemInput("news", site.news_folder.id, "De l'admin")
    item = content.create_item(actor_for(admin), site.town.id, data, site.files())
    publication.fire(actor_for(admin), item, "submit")
    page = client.get(f"/admin/contenus/{item.id}").get_data(as_text=True)
    assert ">Publier<" not in page and "Renvoyer au rédacteur" in page
    r = _fire(client, item.id, "publish")
    assert r.status_code == 403
    assert "un autre relecteur doit le relire" in r.get_data(as_text=True)
    assert "le vôtre" in client.get("/admin/a-relire/").get_data(as_text=True)


def test_each_role_and_town_sees_its_own(site, auth):
    item = site.item("Chez nous", state="pending")
    approver = auth.approver(site.town)
    assert approver.get("/admin/contenus/").status_code == 403
    assert approver.get("/admin/a-relire/").status_code == 403
    assert "À relire" not in approver.get("/admin/").get_data(as_text=True)
    editor = auth.login(site.editor_account)
    assert editor.get("/admin/a-relire/").status_code == 403
    assert "Chez nous" in editor.get("/admin/contenus/").get_data(as_text=True)
    stranger = auth.staff(f.town(), "editor,reviewer")
    assert stranger.get(f"/admin/contenus/{item.id}").status_code == 404
    assert "Chez nous" not in stranger.get("/admin/contenus/").get_data(as_text=True)
    assert "Chez nous" not in stranger.get("/admin/a-relire/").get_data(as_text=True)
    assert _fire(editor, item.id, "publish").status_code == 403


def test_a_week_of_dishes_is_written_in_the_admin(site, auth, client):
    editor = auth.login(site.editor_account)
    school = site.town._demo["schools"][0]
    week = menus.monday(dt.date.today())
    r = _post(
        editor,
        "/admin/contenus/nouveau?type=menu",
        "/admin/contenus/nouveau",
        {
            "kind": "menu",
            "folder": site.food.id,
            "site": school.id,
            "week_start": (week + dt.timedelta(days=2)).isoformat(),
        },
    )
    assert r.status_code == 302
    item = ContentItem.get(ContentItem.kind == "menu")
    assert item.week_start == week  # the Monday of the week typed
    assert item.title.startswith("Menu de la semaine du lundi")
    again = _post(
        editor,
        "/admin/contenus/nouveau?type=menu",
        "/admin/contenus/nouveau",
        {"kind": "menu", "folder": site.food.id, "site": school.id, "week_start": week.isoformat()},
    )
    assert again.status_code == 400 and "Un menu existe déjà" in again.get_data(as_text=True)
    page = f"/admin/contenus/{item.id}"
    r = _post(
        editor,
        page,
        page,
        {
            "folder": site.food.id,
            "site": school.id,
            "week_start": week.isoformat(),
            "dish-0-main-name": "Hachis parmentier",
            "dish-0-main-label": ["fait_maison", "inconnu"],
            "dish-0-main-allergen": ["milk", "gluten"],
            "dish-0-main-contains": ["viande"],
            "dish-0-starter-name": "  ",
            "dish-3-dessert-name": "Tarte aux pommes",
            "dish-3-dessert-allergen": ["eggs"],
        },
    )
    assert r.status_code == 302
    dishes = [
        (d.day, d.course, d.name, d.labels, d.allergens, d.contains)
        for d in Dish.select().order_by(Dish.day)
    ]
    assert dishes == [
        (week, "main", "Hachis parmentier", "fait_maison", "gluten,milk", "viande"),
        (week + dt.timedelta(days=3), "dessert", "Tarte aux pommes", "", "eggs", ""),
    ]
    edit = editor.get(page).get_data(as_text=True)
    assert 'value="Hachis parmentier"' in edit
    publication.fire(site.editor, item, "submit")
    publication.fire(site.reviewer, item, "publish")
    assert "Hachis parmentier" in client.get(f"/menus/{school.id}?semaine={week}").get_data(
        as_text=True
    )
    assert "trix-editor" not in edit  # a menu has no body
    assert "trix-editor" in editor.get("/admin/contenus/nouveau?type=page").get_data(as_text=True)


def test_staff_record_the_allergens_of_a_childs_pai(site, auth):
    h = f.household(site.town, children=("Hugo",))
    hugo = h.children[0]
    other = f.household(f.town(), children=("Zoé",)).children[0]
    ChildAllergen.create(child=other.id, allergen="milk")
    approver = auth.approver(site.town)
    r = _post(
        approver,
        "/admin/allergies/new/",
        "/admin/allergies/new/",
        {"child": hugo.id, "allergen": "peanuts"},
    )
    assert r.status_code == 302
    assert [
        (a.child_id, a.allergen)
        for a in ChildAllergen.select().where(ChildAllergen.child == hugo.id)
    ] == [(hugo.id, "peanuts")]
    listing = approver.get("/admin/allergies/").get_data(as_text=True)
    assert "Arachides" in listing and "Zoé" not in listing
    assert Child.get_by_id(hugo.id).first_name == "Hugo"


def test_a_published_menu_is_read_on_its_screen(site, auth):
    school = site.town._demo["schools"][0]
    week = menus.monday(dt.date.today())
    item = site.item(
        "", kind="menu", state="private", folder=site.food, site_id=school.id, week_start=week
    )
    content.save_dishes(
        site.editor, item, [menus.DishInput(week, "main", "Hachis parmentier", (), ("milk",))]
    )
    publication.fire(site.editor, item, "submit")
    publication.fire(site.reviewer, item, "publish")
    page = auth.login(site.editor_account).get(f"/admin/contenus/{item.id}").get_data(as_text=True)
    dishes = page.split('id="dishes"', 1)[1]
    assert "Hachis parmentier" in dishes and "Lait" in dishes
    assert "dish-0-main-name" not in page  # no form: it is published
    assert "Retirer" in page
