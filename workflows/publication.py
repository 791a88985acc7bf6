"""Publishing content: the CONTENT workflow's moves on an item (submit, publish by a
reviewer who did not write it, send back with a comment, retract, and the timer's expire),
each through the engine with its history row, and the e-mails they tell; the reviewers'
worklist "À relire". Writing items is workflows.content's."""

from __future__ import annotations

import datetime as dt

from peewee import JOIN, fn

from models import Account, WorkflowHistory, transaction, utcnow
from models.content import KINDS, ContentItem

from . import engine, messages, outbox
from .content import KIND_WORDS, ContentError, roles
from .content_rules import ContentContext
from .definitions import CONTENT
from .engine import SYSTEM, Actor


def context(actor: Actor, now: dt.datetime | None = None) -> ContentContext:
    return ContentContext(actor, now or utcnow())


def can(actor: Actor, item: ContentItem, name: str, now: dt.datetime | None = None) -> str | None:
    """None when `actor` may fire `name` on `item` now, else why not (engine.can)."""
    return engine.can(
        actor, CONTENT, name, item, owner=(None, item.town_id), context=context(actor, now)
    )


def actions(actor: Actor, item: ContentItem) -> list[tuple[str, str, bool]]:
    """The transitions `actor` may fire on `item` now: (name, French title, needs a
    comment), for the buttons of the item's screen."""
    return [
        (t.name, t.title, t.needs_comment)
        for t in CONTENT.transitions.values()
        if t.name != "expire" and can(actor, item, t.name) is None
    ]


def refusal_fr(code: str) -> str:
    if code == "conflict":
        return "Ce contenu a changé entre-temps : rechargez la page."
    return messages.reason_fr(code) or "Cette action n'est pas possible."


def fire(actor: Actor, item: ContentItem, name: str, comment: str = "", link: str = "") -> str:
    """Fire `name` on `item` (engine.fire: role, guard, conditional update, history row in
    one transaction), with the e-mails it tells: reviewers learn of a submission, the
    author of a send-back. `link` is the item's address in the admin, for the e-mails."""
    comment = " ".join((comment or "").split())[:2000]
    if CONTENT.transition(name).needs_comment and not comment:
        raise ContentError(
            "Indiquez au rédacteur ce qu'il faut revoir (commentaire obligatoire).", "comment"
        )
    now = utcnow()
    values = {}
    if name == "submit":
        values["submitted_by"] = actor.account_id
    elif name == "publish":
        values["published_at"] = now
    with transaction():
        try:
            state = engine.fire(
                CONTENT,
                item,
                name,
                actor,
                owner=(None, item.town_id),
                context=context(actor, now),
                comment=comment,
                values=values,
            )
        except engine.WorkflowError as exc:
            raise ContentError(refusal_fr(exc.code), code=exc.code) from None
        if name == "submit":
            _tell_reviewers(actor, item, link)
        elif name == "send_back":
            _tell_author(item, comment, link)
    return state


def _staff_of(town_id: int):
    return Account.select().where(Account.town == town_id, Account.is_staff, Account.is_active)


def _tell_reviewers(actor: Actor, item: ContentItem, link: str) -> None:
    reviewers = [
        a.email
        for a in _staff_of(item.town_id)
        if {"reviewer", "admin"} & a.role_set and a.id != actor.account_id
    ]
    if not reviewers:
        return
    author = Account.get_or_none(Account.id == actor.account_id)
    outbox.write_many(
        [
            outbox.Mail(
                (email,),
                f"À relire : {item.title}",
                "content_submitted",
                {
                    "title": item.title,
                    "kind": KIND_WORDS[item.kind][0],
                    "author": author.email if author else "",
                    "link": link,
                    "town_name": item.town.name,
                },
            )
            for email in sorted(reviewers)
        ]
    )


def _tell_author(item: ContentItem, comment: str, link: str) -> None:
    author = Account.get_or_none(Account.id == item.author_id)
    if author is None or not author.is_active:
        return
    outbox.write(
        author.email,
        f"À revoir : {item.title}",
        "content_sent_back",
        title=item.title,
        comment=comment,
        link=link,
        town_name=item.town.name,
    )


def expire_due(now: dt.datetime | None = None) -> int:
    """The timer's job: published items whose expiry date has passed go back to private,
    set-based, each with its history row (role system). Running it twice changes nothing
    more."""
    now = now or utcnow()
    with transaction():
        moved = engine.fire_many(
            CONTENT,
            "expire",
            SYSTEM,
            "system",
            ContentItem.expires_at.is_null(False) & (ContentItem.expires_at <= now),
            at=now,
        )
    return len(moved)


def history(item: ContentItem) -> list[WorkflowHistory]:
    """Every transition the item went through, oldest first, with who fired it."""
    return list(
        WorkflowHistory.select(WorkflowHistory, Account)
        .join(Account, on=(WorkflowHistory.actor == Account.id), join_type=JOIN.LEFT_OUTER)
        .where(WorkflowHistory.workflow == CONTENT.name, WorkflowHistory.object_id == item.id)
        .order_by(WorkflowHistory.at, WorkflowHistory.id)
    )


# -- the reviewers' worklist ("À relire") --------------------------------------------------------
def to_review(actor: Actor):
    """The items of the actor's town waiting for a reviewer, oldest submission first."""
    return (
        ContentItem.select()
        .where(ContentItem.town == actor.town_id, ContentItem.state == "pending")
        .order_by(ContentItem.updated_at, ContentItem.id)
    )


def review_counts(actor: Actor) -> dict[str, int]:
    """Pending items of the actor's town by kind (the admin home's counts), {} when the
    actor reviews nothing."""
    if actor.town_id is None or "reviewer" not in roles(actor, actor.town_id):
        return {}
    rows = (
        ContentItem.select(ContentItem.kind, fn.COUNT(ContentItem.id))
        .where(ContentItem.town == actor.town_id, ContentItem.state == "pending")
        .group_by(ContentItem.kind)
        .tuples()
    )
    counts = dict.fromkeys(KINDS, 0)
    counts.update(dict(rows))
    return counts
