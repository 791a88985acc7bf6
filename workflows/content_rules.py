"""The rules of the CONTENT workflow, as guards, and what "visible" means: the one reading
of whether parents and visitors may see an item, for every page, feed, search and API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import Expression, fn

from models import utcnow
from models.content import ContentItem

from .engine import Actor


@dataclass(frozen=True)
class ContentContext:
    """What the guards read: who acts, and when (naive UTC)."""

    actor: Actor
    now: dt.datetime


def guard_publish(item: ContentItem, ctx: ContentContext | None) -> str | None:
    """Four eyes: whoever wrote or submitted an item does not publish it, whatever their
    roles (an admin holds the editor's and the reviewer's)."""
    if ctx is None or ctx.actor.account_id is None:
        return "own_content"
    if ctx.actor.account_id in (item.author_id, item.submitted_by_id):
        return "own_content"
    return None


def guard_expire(item: ContentItem, ctx: ContentContext | None) -> str | None:
    now = ctx.now if ctx else utcnow()
    if item.expires_at is None or item.expires_at > now:
        return "not_expired"
    return None


def visible(now: dt.datetime | None = None) -> Expression:
    """The condition every public reading applies: published, its publication date come,
    its expiry date not yet (the timer's job takes expired items back to private, and
    until it has run they are hidden all the same)."""
    now = now or utcnow()
    return (
        (ContentItem.state == "published")
        & (ContentItem.effective_at.is_null() | (ContentItem.effective_at <= now))
        & (ContentItem.expires_at.is_null() | (ContentItem.expires_at > now))
    )


def is_visible(item: ContentItem, now: dt.datetime | None = None) -> bool:
    """`visible` for one item already read."""
    now = now or utcnow()
    return (
        item.state == "published"
        and (item.effective_at is None or item.effective_at <= now)
        and (item.expires_at is None or item.expires_at > now)
    )


def shown_at():
    """The date an item is shown with, and news are ordered by: its publication date, or
    the moment it was published."""
    return fn.COALESCE(ContentItem.effective_at, ContentItem.published_at)


def may_preview(actor: Actor | None, item: ContentItem) -> bool:
    """Staff of the item's town who write or review content may read it before it is
    published (Plone's owner and reviewer); nobody else."""
    if actor is None:
        return False
    return bool({"editor", "reviewer"} & actor.roles_on(None, item.town_id))
