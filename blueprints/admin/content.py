"""The content screens of the admin: the town's items (news, pages, menus, documents), each
written in a form with the rich-text editor (Trix, served from static/vendor), its
history, and the workflow's buttons the staff member may press (workflows.content.can).
Folders, the reviewers' worklist and the PAI allergens are in content_review.py.
`register(admin, app)` adds them all to the app's Flask-Admin."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import Site
from models.content import KINDS, ContentItem
from workflows import content, menus, publication, words
from workflows.content import KIND_WORDS, ContentError
from workflows.content_files import Store
from workflows.content_folders import FolderTree
from workflows.definitions import CONTENT

from ..auth import public_url
from . import content_forms as forms
from . import content_review
from .base import datetime_fr
from .security import StaffOnly, town_id


def get_item(item_id: int) -> ContentItem:
    """The item if it is of the staff member's town; 404 otherwise."""
    item = ContentItem.get_or_none(ContentItem.id == item_id, ContentItem.town == town_id())
    if item is None:
        abort(404)
    return item


def admin_link(item: ContentItem) -> str:
    return public_url() + url_for("admin_content.edit", item_id=item.id)


def public_address(item: ContentItem) -> str:
    tree = FolderTree(item.town_id)
    return url_for(
        "content.address",
        town=tree.town_slug(item.folder_id),
        path=f"{tree.path(item.folder_id)}/{item.slug}",
    )


class ContentView(StaffOnly, BaseView):
    def _form(self, kind: str, item: ContentItem | None, *, values=None, error=None, status=200):
        tree = FolderTree(town_id())
        actor = current_user.actor
        values = values or {}
        editable = item is None or (item.state == "private" and content.may_write(actor, town_id()))
        context = {
            "kind": kind,
            "kind_words": KIND_WORDS[kind],
            "item": item,
            "v": values,
            "error": error,
            "folders": tree.indented(town_id()),
            "sites": list(Site.select().where(Site.town == town_id()).order_by(Site.name)),
            "editable": editable,
            "local_input": forms.local_input,
            "allergens": menus.ALLERGENS,
            "labels": menus.LABELS,
            "contains": menus.CONTAINS,
            "courses": menus.COURSE_WORDS,
        }
        if item is not None:
            context.update(
                actions=publication.actions(actor, item),
                history=publication.history(item),
                state_words=words.titles("content"),
                titles={t.name: t.title for t in CONTENT.transitions.values()},
                datetime_fr=datetime_fr,
                address=public_address(item),
            )
            if item.kind == "menu":
                dishes = {(d.day, d.course): d for d in menus.dishes_of(item.id)}
                context["week"] = [
                    (i, day, {c: dishes.get((day, c)) for c in menus.COURSES})
                    for i, day in enumerate(menus.week_days(item.week_start))
                ]
        return self.render("admin/content/edit.html", **context), status

    @expose("/", methods=("GET",))
    def index(self):
        kind = request.args.get("type") if request.args.get("type") in KINDS else None
        state = (
            request.args.get("etat")
            if request.args.get("etat") in words.titles("content")
            else None
        )
        q = ContentItem.select().where(ContentItem.town == town_id())
        if kind:
            q = q.where(ContentItem.kind == kind)
        if state:
            q = q.where(ContentItem.state == state)
        tree = FolderTree(town_id())
        rows = [
            (item, tree.path(item.folder_id))
            for item in q.order_by(ContentItem.updated_at.desc(), ContentItem.id.desc()).limit(500)
        ]
        return self.render(
            "admin/content/list.html",
            rows=rows,
            kind=kind,
            state=state,
            kinds=KIND_WORDS,
            states=words.titles("content"),
            may_write=content.may_write(current_user.actor, town_id()),
            datetime_fr=datetime_fr,
        )

    @expose("/nouveau", methods=("GET",))
    def new(self):
        kind = request.args.get("type", "news")
        if kind not in KINDS:
            abort(404)
        if not content.may_write(current_user.actor, town_id()):
            abort(403)
        return self._form(kind, None)

    @expose("/nouveau", methods=("POST",))
    def create(self):
        kind = request.form.get("kind", "")
        if kind not in KINDS:
            abort(400)
        try:
            item = content.create_item(
                current_user.actor, town_id(), forms.item_input(kind), forms.files()
            )
        except (ContentError, forms.FormError) as exc:
            return self._form(kind, None, values=request.form, error=exc, status=400)
        flash(f"« {item.title} » est enregistré (privé).", "success")
        return redirect(url_for(".edit", item_id=item.id))

    @expose("/<int:item_id>", methods=("GET",))
    def edit(self, item_id: int):
        item = get_item(item_id)
        return self._form(item.kind, item)

    @expose("/<int:item_id>", methods=("POST",))
    def update(self, item_id: int):
        item = get_item(item_id)
        try:
            updated = content.update_item(
                current_user.actor, item, forms.item_input(item.kind), forms.files()
            )
            if item.kind == "menu":
                content.save_dishes(current_user.actor, updated, forms.dishes(updated.week_start))
        except (ContentError, forms.FormError) as exc:
            return self._form(item.kind, item, values=request.form, error=exc, status=400)
        flash("Modifications enregistrées.", "success")
        return redirect(url_for(".edit", item_id=item.id))

    @expose("/<int:item_id>/transition", methods=("POST",))
    def transition(self, item_id: int):
        item = get_item(item_id)
        name = request.form.get("transition", "")
        if name not in CONTENT.transitions or name in ("create", "expire"):
            abort(400)
        try:
            state = publication.fire(
                current_user.actor,
                item,
                name,
                request.form.get("comment", ""),
                link=admin_link(item),
            )
        except ContentError as exc:
            flash(str(exc), "error")
            status = 403 if exc.code in ("forbidden", "own_content") else 409
            body, _ = self._form(item.kind, get_item(item_id))
            return body, status
        flash(f"« {item.title} » : {words.in_sentence('content', state)}.", "success")
        if name in ("publish", "send_back") and publication.review_counts(current_user.actor):
            return redirect(url_for("admin_content_review.index"))
        return redirect(url_for(".edit", item_id=item.id))

    @expose("/<int:item_id>/supprimer", methods=("POST",))
    def delete(self, item_id: int):
        item = get_item(item_id)
        try:
            content.delete_item(current_user.actor, item, Store(current_app.config["CONTENT_DIR"]))
        except ContentError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".edit", item_id=item.id))
        flash(f"« {item.title} » est supprimé.", "success")
        return redirect(url_for(".index"))


def register(admin, app) -> None:
    """The content screens, under "Contenus", and the admin home's "À relire" counts."""
    admin.add_view(
        ContentView(
            name="Contenus", category="Contenus", endpoint="admin_content", url="/admin/contenus"
        )
    )
    content_review.register(admin, app)
