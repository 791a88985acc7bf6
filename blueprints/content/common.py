"""What the public pages share: who reads (an actor or nobody), the content folder, the
town the portal's menu is built for, an item's address, and the template filters."""

from __future__ import annotations

import datetime as dt

from flask import Flask, g, url_for
from flask_login import current_user
from markupsafe import Markup

from models import Town, utcnow
from workflows import content_public, words
from workflows.calendar import PARIS, format_date_fr, from_utc_naive
from workflows.content import KIND_WORDS
from workflows.content_files import Store
from workflows.rich_text import clean_html


def actor():
    """The logged-in person as the workflows see them, or None for a visitor."""
    return current_user.actor if current_user.is_authenticated else None


def store(app_config) -> Store:
    return Store(app_config["CONTENT_DIR"])


def now() -> dt.datetime:
    """Now, as the database stores moments (naive UTC)."""
    return utcnow()


def reader_town_id() -> int | None:
    """The town whose content a page shows first: the page's own, the parent's household's
    or the staff member's, or the portal's only town."""
    if g.get("content_town_id"):
        return g.content_town_id
    if current_user.is_authenticated:
        household = getattr(current_user, "household", None)
        if household is not None:
            return household.town_id
        if current_user.account.town_id:
            return current_user.account.town_id
    if "only_town_id" not in g:
        towns = list(Town.select(Town.id).limit(2))
        g.only_town_id = towns[0].id if len(towns) == 1 else None
    return g.only_town_id


def site_folders() -> list:
    """The portal's menu: the reader's town's top folders holding visible content."""
    town_id = reader_town_id()
    if town_id is None:
        return []
    slug = Town.get_by_id(town_id).slug
    return [(f, slug) for f in content_public.menu_folders(town_id, now())]


def entry_url(entry, **kw) -> str:
    return url_for(
        "content.address", town=entry.path.split("/", 1)[0], path=entry.path.split("/", 1)[1], **kw
    )


def _paris_date(moment: dt.datetime | None, pattern: str = "EEEE d MMMM y") -> str:
    if not moment:
        return ""
    return format_date_fr(from_utc_naive(moment).astimezone(PARIS).date(), pattern)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} Mo".replace(".", ",")
    return f"{max(1, round(n / 1024))} Ko"


def register_filters(app: Flask) -> None:
    app.add_template_filter(lambda v: Markup(clean_html(v)), "rich")
    app.add_template_filter(_paris_date, "published_fr")
    app.add_template_filter(_size, "file_size")
    app.add_template_global(entry_url, "entry_url")
    app.add_template_global(site_folders, "site_folders")
    app.add_template_global(KIND_WORDS, "KIND_WORDS")
    app.add_template_filter(lambda state: words.in_sentence("content", state), "content_state")
