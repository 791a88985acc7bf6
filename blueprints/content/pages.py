"""News, pages, documents and folders at their addresses, and the files they carry."""

from __future__ import annotations

from flask import abort, current_app, g, make_response, render_template, request, send_file
from flask_login import current_user

from models import Town
from web import errors
from workflows import content_public, menus

from .blueprint import bp
from .common import actor, now, store


def _town_filter() -> Town | None:
    slug = (request.args.get("ville") or "").strip()
    if not slug:
        return None
    return Town.get_or_none(Town.slug == slug) or abort(404)


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or int(raw) > 10_000:
        abort(404)
    return int(raw)


def _public(response, preview: bool = False):
    """What a visitor reads may be cached a minute; a preview, or a page with someone's
    own menu in it, never."""
    personal = preview or current_user.is_authenticated
    response.headers["Cache-Control"] = "private, no-store" if personal else "public, max-age=60"
    return response


@bp.route("/actualites")
def news():
    town = _town_filter()
    page = _page_number()
    found, total = content_public.news_page(page, town.id if town else None, now())
    pages = max(1, -(-total // content_public.PAGE_SIZE))
    if page > pages:
        abort(404)
    if town:
        g.content_town_id = town.id
    return render_template(
        "content/news.html", entries=found, page=page, pages=pages, total=total, town=town
    )


@bp.route("/documents")
def documents():
    town = _town_filter()
    if town:
        g.content_town_id = town.id
    found = content_public.documents(town.id if town else None, now=now())
    return render_template("content/documents.html", entries=found, town=town)


@bp.route("/commune/<town>")
@bp.route("/commune/<town>/<path:path>")
def address(town: str, path: str = ""):
    """A folder, an item, or an item's file (…/fichier) or image (…/image)."""
    found = content_public.resolve(town, path, actor(), now())
    if found is None:
        abort(404)
    g.content_town_id = found.town.id
    if found.item is None:
        return _folder(found)
    if found.suffix:
        return _file(found)
    item = found.item
    crumbs = found.tree.ancestors(found.folder.id)
    values = {"found": found, "item": item, "crumbs": crumbs, "town": found.town}
    if item.kind == "menu":
        values["menu"] = menus.week_menu(item)
        template = "content/menu.html"
    else:
        template = "content/item.html"
    return _public(make_response(render_template(template, **values)), found.preview)


def _folder(found):
    if found.folder is None:  # the town's own page
        folders = content_public.menu_folders(found.town.id, now())
        news = content_public.latest_news(found.town.id, 5, now())
        return render_template("content/town.html", town=found.town, folders=folders, entries=news)
    shown = content_public.folders_with_content(found.town.id, now())
    subfolders = [f for f in found.tree.children(found.folder.id) if f.id in shown]
    return render_template(
        "content/folder.html",
        town=found.town,
        folder=found.folder,
        crumbs=found.tree.ancestors(found.folder.id),
        subfolders=subfolders,
        path=found.tree.path(found.folder.id),
        entries=content_public.folder_items(found.folder, found.tree, now()),
    )


def _file(found):
    item = found.item
    name = item.file_name if found.suffix == "fichier" else item.image_name
    if not name:
        abort(404)
    try:
        path = store(current_app.config).path(name)
    except FileNotFoundError:
        abort(404)
    if not path.exists():
        current_app.logger.error("content file missing: %s (item %s)", name, item.id)
        abort(404)
    if found.suffix == "fichier":
        response = send_file(
            path, mimetype="application/pdf", download_name=item.download_name, max_age=0
        )
    else:
        response = send_file(path, mimetype=item.image_type, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return _public(response, found.preview)


@bp.errorhandler(404)
def _not_found(e):
    """The same French page whether the address is wrong or the item not published."""
    message = "Cette page n'existe pas ou n'est pas publiée."
    return errors.page(404, message)
