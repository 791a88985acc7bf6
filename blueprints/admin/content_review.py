"""Beside the content screens: the reviewers' worklist "À relire" (and its counts on the
admin home), the town's folders, and the allergens of the children's PAI that the menus
point at."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from wtforms import SelectField

from models import Account, Child
from models.content import ChildAllergen, ContentItem, Folder
from workflows import menus, publication
from workflows.content import KIND_WORDS, ContentError
from workflows.content_folders import FolderInput, FolderTree, delete_folder, save_folder

from .base import TownModelView, datetime_fr
from .scope import scoped
from .security import StaffOnly, may, town_id


class ReviewView(StaffOnly, BaseView):
    """Items waiting for a reviewer, oldest submission first (workflows.content.to_review);
    each opens on its screen, where it is published or sent back."""

    @expose("/")
    def index(self):
        actor = current_user.actor
        items = list(publication.to_review(actor))
        authors = {
            a.id: a.email
            for a in Account.select(Account.id, Account.email).where(
                Account.id.in_([i.submitted_by_id or i.author_id or 0 for i in items])
            )
        }
        return self.render(
            "admin/content/review.html",
            items=items,
            counts=publication.review_counts(actor),
            kinds=KIND_WORDS,
            authors=authors,
            datetime_fr=datetime_fr,
            own={i.id for i in items if publication.can(actor, i, "publish") == "own_content"},
        )


class FolderView(StaffOnly, BaseView):
    """The town's tree of folders: create, rename, move, delete (when empty)."""

    def _render(self, folder: Folder | None = None, error=None, values=None, status=200):
        tree = FolderTree(town_id())
        counts = {}
        for item in ContentItem.select(ContentItem.folder).where(ContentItem.town == town_id()):
            counts[item.folder_id] = counts.get(item.folder_id, 0) + 1
        body = self.render(
            "admin/content/folders.html",
            folders=tree.indented(town_id()),
            counts=counts,
            folder=folder,
            error=error,
            v=values or {},
            paths={f.id: tree.path(f.id) for f, _ in tree.indented(town_id())},
        )
        return body, status

    def _folder(self, folder_id) -> Folder | None:
        if not folder_id:
            return None
        return Folder.get_or_none(Folder.id == folder_id, Folder.town == town_id())

    @expose("/", methods=("GET",))
    def index(self):
        raw = request.args.get("id", "")
        return self._render(self._folder(int(raw)) if raw.isdigit() else None)

    @expose("/", methods=("POST",))
    def save(self):
        raw = request.form.get("id", "")
        folder = self._folder(int(raw)) if raw.isdigit() else None
        parent = request.form.get("parent", "")
        position = request.form.get("position", "")
        data = FolderInput(
            request.form.get("title", ""),
            request.form.get("slug", ""),
            int(parent) if parent.isdigit() else None,
            request.form.get("description", ""),
            int(position) if position.isdigit() else 0,
        )
        try:
            saved = save_folder(current_user.actor, town_id(), data, folder)
        except ContentError as exc:
            return self._render(folder, exc, request.form, 400)
        flash(f"Dossier « {saved.title} » enregistré.", "success")
        return redirect(url_for(".index"))

    @expose("/supprimer", methods=("POST",))
    def delete(self):
        raw = request.form.get("id", "")
        folder = self._folder(int(raw)) if raw.isdigit() else None
        if folder is None:
            flash("Dossier introuvable.", "error")
            return redirect(url_for(".index"))
        try:
            delete_folder(current_user.actor, folder)
        except ContentError as exc:
            flash(str(exc), "error")
            return self._render(None, None, None, 409)
        flash(f"Dossier « {folder.title} » supprimé.", "success")
        return redirect(url_for(".index"))


class ChildAllergenView(TownModelView):
    """The allergens of a child's PAI, recorded by staff: the parents' home marks the
    week's dishes that contain them."""

    can_delete = True
    column_list = ("child", "allergen")
    column_labels = {"child": "Enfant", "allergen": "Allergène"}
    column_formatters = {"allergen": lambda v, c, m, n: menus.ALLERGENS.get(m.allergen, m.allergen)}
    form_columns = ("child", "allergen")
    form_overrides = {"allergen": SelectField}
    form_args = {
        "child": {"label": "Enfant"},
        "allergen": {
            "label": "Allergène (règlement UE 1169/2011)",
            "choices": list(menus.ALLERGENS.items()),
        },
    }

    def get_query(self):
        children = scoped(Child, town_id()).select(Child.id)
        return ChildAllergen.select().where(ChildAllergen.child.in_(children))


def review_counts() -> dict:
    """For the admin home: pending items by kind, {} for those who review nothing."""
    if not may("admin_content_review"):
        return {}
    return publication.review_counts(current_user.actor)


def register(admin, app: Flask) -> None:
    admin.add_view(
        ReviewView(
            name="À relire",
            category="Contenus",
            endpoint="admin_content_review",
            url="/admin/a-relire",
        )
    )
    admin.add_view(
        FolderView(
            name="Dossiers", category="Contenus", endpoint="admin_folders", url="/admin/dossiers"
        )
    )
    admin.add_view(
        ChildAllergenView(
            ChildAllergen,
            name="Allergies (PAI)",
            category="Familles",
            endpoint="admin_childallergen",
            url="/admin/allergies",
        )
    )
    app.add_template_global(review_counts, "content_review_counts")
    app.add_template_global(KIND_WORDS, "content_kinds")
