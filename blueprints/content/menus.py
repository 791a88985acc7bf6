"""The menus of the week, per site: the list of the sites, and one site's week."""

from __future__ import annotations

import datetime as dt

from flask import abort, g, render_template, request

from models import Site, Town
from web import inputs
from workflows import content_public, menus
from workflows.calendar import PARIS

from .blueprint import bp
from .common import now
from .pages import _town_filter


def _week() -> dt.date:
    raw = request.args.get("semaine")
    if not raw:
        return menus.shown_week(dt.datetime.now(PARIS).date())
    day = inputs.day(raw)
    if day is None:
        abort(404)
    return menus.monday(day)


@bp.route("/menus")
def menus_list():
    town = _town_filter()
    week = _week()
    sites = content_public.town_sites(town.id if town else None)
    found = menus.published_menus([s.id for s in sites], week, now())
    if town:
        g.content_town_id = town.id
    return render_template(
        "content/menus.html",
        sites=[s for s in sites if s.id in found],
        week=week,
        town=town,
        week_title=menus.week_title(week),
    )


@bp.route("/menus/<int:site_id>")
def site_menu(site_id: int):
    site = Site.select(Site, Town).join(Town).where(Site.id == site_id).first() or abort(404)
    week = _week()
    g.content_town_id = site.town_id
    item = menus.published_menus([site.id], week, now()).get(site.id)
    return render_template(
        "content/menu.html",
        item=item,
        menu=menus.week_menu(item) if item else None,
        site=site,
        town=site.town,
        week=week,
        week_title=menus.week_title(week),
        previous=week - dt.timedelta(days=7),
        next=week + dt.timedelta(days=7),
        crumbs=[],
        found=None,
    )
