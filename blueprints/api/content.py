"""The public API of content (no login): the published news and the menus of a site, for a
town's own website or a kitchen's software. Only visible content, as on the pages."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from models import Site, Town
from web import inputs
from web.urls import external_url
from workflows import content_public, menus
from workflows.calendar import PARIS
from workflows.rich_text import clean_html

bp = Blueprint("api_content", __name__, url_prefix="/api/v1")
MAX_MENU_DAYS = 62


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.errorhandler(BadRequest)
def _bad(e: BadRequest):
    return jsonify({"error": e.code, "message": e.message}), e.status


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    return jsonify({"error": e.name.lower().replace(" ", "_"), "message": e.description}), e.code


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment else None


def _int(name: str, default: int | None = None, low: int = 1, high: int = 10_000) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        if default is None:
            raise BadRequest(400, "bad_request", f"{name} is required.")
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(400, "bad_request", f"{name} must be an integer from {low} to {high}.")
    return int(raw)


def _date(name: str, default: dt.date) -> dt.date:
    raw = request.args.get(name)
    if not raw:
        return default
    value = inputs.day(raw)
    if value is None:
        raise BadRequest(400, "bad_request", f"{name} must be a date YYYY-MM-DD.")
    return value


def _public(response):
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/news")
def news():
    slug = request.args.get("town")
    town = None
    if slug:
        town = Town.get_or_none(Town.slug == slug)
        if town is None:
            raise BadRequest(404, "not_found", "No such town.")
    page = _int("page", 1)
    found, total = content_public.news_page(page, town.id if town else None)
    items = []
    for e in found:
        path = e.path.split("/", 1)
        url = external_url("content.address", town=path[0], path=path[1])
        items.append(
            {
                "id": e.item.id,
                "town": e.town.slug,
                "title": e.item.title,
                "summary": e.item.summary,
                "body_html": clean_html(e.item.body),
                "published_at": _iso(e.shown_at),
                "expires_at": _iso(e.item.expires_at),
                "url": url,
                "image_url": f"{url}/image" if e.item.image_name else None,
                "image_alt": e.item.image_alt or None,
            }
        )
    pages = max(1, -(-total // content_public.PAGE_SIZE))
    return _public(jsonify({"page": page, "pages": pages, "total": total, "items": items}))


@bp.get("/sites")
def sites():
    return _public(
        jsonify(
            [{"id": s.id, "name": s.name, "town": s.town.slug} for s in content_public.town_sites()]
        )
    )


@bp.get("/menus")
def site_menus():
    site_id = _int("site", high=2**31 - 1)
    site = Site.select(Site, Town).join(Town).where(Site.id == site_id).first()
    if site is None:
        raise BadRequest(404, "not_found", "No such site.")
    week = menus.shown_week(dt.datetime.now(PARIS).date())
    start = _date("from", week)
    end = _date("to", start + dt.timedelta(days=6))
    if end < start or (end - start).days >= MAX_MENU_DAYS:
        raise BadRequest(400, "bad_request", f"from must precede to, within {MAX_MENU_DAYS} days.")
    days: dict[dt.date, list] = {}
    for dish in menus.visible_dishes(site.id, start, end):
        days.setdefault(dish.day, []).append(
            {
                "course": dish.course,
                "name": dish.name,
                "labels": [c for c in dish.labels.split(",") if c],
                "allergens": [c for c in dish.allergens.split(",") if c],
                "contains": [c for c in dish.contains.split(",") if c],
            }
        )
    return _public(
        jsonify(
            {
                "site": {"id": site.id, "name": site.name, "town": site.town.slug},
                "from": start.isoformat(),
                "to": end.isoformat(),
                "days": [{"date": d.isoformat(), "dishes": dishes} for d, dishes in days.items()],
                "allergens": menus.ALLERGENS,
                "labels": menus.LABELS,
            }
        )
    )
