"""Folders and addresses: a slug is unique in its folder (refused with a message, also in
the admin), a folder that holds items or folders is never deleted, the portal's menu is
built from the folders that hold published content."""

from __future__ import annotations

import pytest

from models.content import ContentItem, Folder
from workflows import audit, content, content_public
from workflows.accounts import actor_for
from workflows.content import ContentError
from workflows.content_folders import FolderInput, delete_folder, save_folder

from .. import factories as f
from ..forms import csrf_token


def test_a_slug_taken_in_a_folder_is_refused_and_free_in_another(site):
    site.item("Tarifs", kind="page", folder=site.food)
    with pytest.raises(ContentError) as refused:
        site.item("Tarifs", kind="page", folder=site.food)
    assert refused.value.field == "slug"
    assert "« tarifs » est déjà prise dans le dossier « Restauration »" in str(refused.value)
    other = site.item("Tarifs", kind="page", folder=site.news_folder)
    assert other.slug == "tarifs"
    with pytest.raises(ContentError):
        site.item("Autre titre", kind="page", folder=site.food, slug="tarifs")
    with pytest.raises(ContentError) as bad:
        site.item("Mauvaise adresse", slug="Pas Bonne!")
    assert "lettres minuscules" in str(bad.value)
    with pytest.raises(ContentError):
        site.item("Réservé", slug="fichier")  # the suffix of a document's file


def test_the_admin_form_says_the_slug_is_taken(site, auth):
    site.item("Tarifs", kind="page", folder=site.food)
    editor = auth.login(site.editor_account)
    page = editor.get("/admin/contenus/nouveau?type=page").get_data(as_text=True)
    r = editor.post(
        "/admin/contenus/nouveau",
        data={
            "csrf_token": csrf_token(page),
            "kind": "page",
            "folder": site.food.id,
            "title": "Les tarifs",
            "slug": "tarifs",
        },
    )
    assert r.status_code == 400
    assert "est déjà prise dans le dossier" in r.get_data(as_text=True)
    assert ContentItem.select().count() == 1


def test_folder_slugs_are_unique_among_siblings(site):
    with pytest.raises(ContentError) as refused:
        save_folder(site.editor, site.town.id, FolderInput("Restauration bis", "restauration"))
    assert "déjà prise" in str(refused.value)
    menus = save_folder(site.editor, site.town.id, FolderInput("Menus", parent_id=site.food.id))
    assert menus.slug == "menus"
    # The same slug under another parent, or in another town, is free.
    save_folder(site.editor, site.town.id, FolderInput("Menus", parent_id=site.news_folder.id))
    other_town = f.town()
    other = f.staff(other_town, "editor")
    save_folder(actor_for(other), other_town.id, FolderInput("Restauration"))
    with pytest.raises(ContentError):
        save_folder(
            site.editor, site.town.id, FolderInput("Boucle", "restauration", menus.id), site.food
        )


def test_a_folder_holding_items_or_folders_is_not_deleted(site, auth):
    site.item("Tarifs", kind="page", folder=site.food)
    with pytest.raises(ContentError) as refused:
        delete_folder(site.editor, site.food)
    assert "contient 1 contenu" in str(refused.value)
    sub = save_folder(
        site.editor, site.town.id, FolderInput("Sous-dossier", parent_id=site.news_folder.id)
    )
    with pytest.raises(ContentError) as refused:
        delete_folder(site.editor, site.news_folder)
    assert "1 dossier" in str(refused.value)
    delete_folder(site.editor, sub)
    delete_folder(site.editor, site.news_folder)
    assert [f.title for f in Folder.select()] == ["Restauration"]
    # Through the admin: refused with the message, nothing deleted.
    editor = auth.login(site.editor_account)
    page = editor.get("/admin/dossiers/").get_data(as_text=True)
    r = editor.post(
        "/admin/dossiers/supprimer", data={"csrf_token": csrf_token(page), "id": site.food.id}
    )
    assert r.status_code == 409
    assert "déplacez-les ou supprimez-les d&#39;abord" in r.get_data(as_text=True)
    assert Folder.select().count() == 1


def test_the_portals_menu_shows_the_folders_with_published_content(site, client):
    site.item("Brouillon", state="private", folder=site.food)
    site.item("Publié", folder=site.news_folder)
    assert [f.title for f in content_public.menu_folders(site.town.id)] == ["Vie de la commune"]
    html = client.get(f"/commune/{site.town.slug}").get_data(as_text=True)
    assert "Vie de la commune" in html and ">Restauration<" not in html
    folder = client.get(f"/commune/{site.town.slug}/vie-de-la-commune").get_data(as_text=True)
    assert "Publié" in folder and "Brouillon" not in folder
    assert client.get(f"/commune/{site.town.slug}/inconnu").status_code == 404


def test_staff_without_the_editor_role_write_nothing(site):
    reviewer = site.reviewer
    with pytest.raises(ContentError):
        content.create_item(
            reviewer, site.town.id, content.ItemInput("news", site.food.id, "X"), site.files()
        )
    with pytest.raises(ContentError):
        save_folder(actor_for(f.staff(site.town, "approver")), site.town.id, FolderInput("X"))


def test_content_and_folder_changes_are_in_the_towns_audit(site):
    from models import AuditEntry

    item = site.item("Kermesse", state="private")
    data = content.ItemInput("news", site.news_folder.id, "Kermesse de juin")
    content.update_item(site.editor, item, data, site.files())
    edit = AuditEntry.get(AuditEntry.kind == "Contenu", AuditEntry.action == "edit")
    assert edit.who == site.editor_account.email and edit.town_id == site.town.id
    assert "Kermesse → Kermesse de juin" in audit.changes_text(edit)

    content.delete_item(site.editor, ContentItem.get_by_id(item.id), site.files().store)
    assert AuditEntry.get(AuditEntry.kind == "Contenu", AuditEntry.action == "delete")
    folders = AuditEntry.select().where(AuditEntry.kind == "Dossier")
    assert {e.what for e in folders} == {"Dossier Restauration", "Dossier Vie de la commune"}
