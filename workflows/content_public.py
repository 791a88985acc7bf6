"""What parents and visitors read: visible content only (content_rules.visible), by list,
address, feed, search and API. An item's address is its town's slug, its folders' slugs
and its own: /commune/demo/restauration/reglement-interieur."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models import Site, Town, utcnow
from models.content import ContentItem, Folder

from .content_folders import FolderTree
from .content_rules import is_visible, may_preview, shown_at, visible
from .engine import Actor
from .rich_text import fold, french_key

PAGE_SIZE = 10


@dataclass
class Entry:
    """An item with its address (the segments after /commune/)."""

    item: ContentItem
    town: Town
    path: str  # "demo/restauration/reglement-interieur"

    @property
    def shown_at(self) -> dt.datetime | None:
        return self.item.effective_at or self.item.published_at


def entries(items, tree: FolderTree | None = None) -> list[Entry]:
    items = list(items)
    if tree is None:
        tree = FolderTree({i.town_id for i in items})
    return [
        Entry(i, i.town, f"{tree.town_slug(i.folder_id)}/{tree.path(i.folder_id)}/{i.slug}")
        for i in items
    ]


def _visible_items(now, kind: str | None = None, town_id: int | None = None):
    q = ContentItem.select(ContentItem, Town).join(Town).where(visible(now))
    if kind:
        q = q.where(ContentItem.kind == kind)
    if town_id:
        q = q.where(ContentItem.town == town_id)
    return q


def news_page(page: int = 1, town_id: int | None = None, now=None) -> tuple[list[Entry], int]:
    """Visible news, newest first, PAGE_SIZE a page; and how many there are in all."""
    q = _visible_items(now or utcnow(), "news", town_id)
    total = q.count()
    rows = q.order_by(shown_at().desc(), ContentItem.id.desc()).paginate(page, PAGE_SIZE)
    return entries(rows), total


def latest_news(town_id: int | None, limit: int = 3, now=None) -> list[Entry]:
    q = _visible_items(now or utcnow(), "news", town_id)
    return entries(q.order_by(shown_at().desc(), ContentItem.id.desc()).limit(limit))


def documents(town_id: int | None = None, to_read: bool = False, now=None) -> list[Entry]:
    """Visible documents (and pages with a PDF when `to_read`), "à lire" first, then by
    title in French order."""
    q = _visible_items(now or utcnow(), None, town_id).where(ContentItem.file_name != "")
    if to_read:
        q = q.where(ContentItem.to_read)
    else:
        q = q.where(ContentItem.kind == "document")
    found = entries(q)
    return sorted(found, key=lambda e: (not e.item.to_read, french_key(e.item.title)))


def search(words: str, town_id: int | None = None, now=None, limit: int = 100) -> list[Entry]:
    """Visible items whose title or body holds every word (accents and case aside),
    in French order of their titles."""
    terms = [t for t in fold(words).replace("%", " ").replace("_", " ").split() if len(t) > 1]
    if not terms:
        return []
    q = _visible_items(now or utcnow(), None, town_id)
    for term in terms[:8]:
        q = q.where(ContentItem.search_text.contains(term))
    found = entries(q.limit(limit))
    return sorted(found, key=lambda e: french_key(e.item.title))


@dataclass
class Found:
    """What an address leads to: a folder, or an item (with `preview` when it is shown to
    staff before it is visible)."""

    town: Town
    tree: FolderTree
    folder: Folder | None
    item: ContentItem | None = None
    preview: bool = False
    suffix: str = ""  # "fichier" or "image": the item's file rather than its page


def resolve(town_slug: str, path: str, actor: Actor | None, now=None) -> Found | None:
    """The folder or item at `path` in the town, or None: an item that is not visible is
    found only by staff of its town who write or review content (a preview), so for
    everyone else a guessed address is the same 404 as a wrong one."""
    town = Town.get_or_none(Town.slug == town_slug)
    if town is None:
        return None
    segments = [s for s in path.split("/") if s]
    suffix = ""
    if segments and segments[-1] in ("fichier", "image"):
        suffix = segments.pop()
    tree = FolderTree(town.id)
    if not segments:
        return None if suffix else Found(town, tree, None)
    # An item lives in a folder: its address is its folder's, then its slug.
    folder = tree.find(town.id, segments[:-1]) if len(segments) > 1 else None
    if folder is not None:
        item = ContentItem.get_or_none(
            ContentItem.folder == folder.id, ContentItem.slug == segments[-1]
        )
        if item is not None:
            item.town = town
            if is_visible(item, now):
                return Found(town, tree, folder, item, suffix=suffix)
            if may_preview(actor, item):
                return Found(town, tree, folder, item, preview=True, suffix=suffix)
            return None
    whole = tree.find(town.id, segments)
    if whole is None or suffix:
        return None
    return Found(town, tree, whole)


def folder_items(folder: Folder, tree: FolderTree, now=None) -> list[Entry]:
    """The visible items of a folder, pages first by position, then the newest."""
    rows = _visible_items(now or utcnow(), None, folder.town_id).where(
        ContentItem.folder == folder.id
    )
    order = {"page": 0, "document": 1, "news": 2, "menu": 3}
    found = entries(rows, tree)
    found.sort(key=lambda e: french_key(e.item.title))
    found.sort(key=lambda e: e.shown_at or dt.datetime.min, reverse=True)
    found.sort(key=lambda e: (order.get(e.item.kind, 9), e.item.position))
    return found


def folders_with_content(town_id: int, now=None) -> set[int]:
    """The folders that hold a visible item, themselves or below them."""
    tree = FolderTree(town_id)
    holding = {
        fid
        for (fid,) in ContentItem.select(ContentItem.folder)
        .where(ContentItem.town == town_id, visible(now or utcnow()))
        .distinct()
        .tuples()
    }
    return {a for fid in holding for a in tree.lineage(fid)}


def menu_folders(town_id: int | None, now=None) -> list[Folder]:
    """The portal's menu: the town's top folders that hold visible content."""
    if town_id is None:
        return []
    tree = FolderTree(town_id)
    shown = folders_with_content(town_id, now)
    return [f for f in tree.children(None, town_id) if f.id in shown]


def town_sites(town_id: int | None = None):
    q = Site.select(Site, Town).join(Town).order_by(Town.name, Site.name)
    if town_id:
        q = q.where(Site.town == town_id)
    return list(q)
