"""Writing content: items (news, pages, menus, documents) created, edited and deleted while
private, with their files and a menu's dishes. Moving them through the CONTENT workflow is
publication.py's, folders are content_folders.py's, what the public reads
content_public.py's."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from peewee import IntegrityError

from models import Site, after_commit, transaction, utcnow
from models.content import KINDS, ContentItem, Dish, Folder

from . import audit, engine, messages
from .content_files import FileRefused, Store, Upload, check_pdf, download_name, image_type
from .definitions import CONTENT
from .engine import Actor
from .menus import DishInput, week_title, write_dishes
from .rich_text import clean_html, fold, plain_text, slugify

KIND_WORDS = {  # kind -> (singular, plural, the new one)
    "news": ("Actualité", "Actualités", "Nouvelle actualité"),
    "page": ("Page", "Pages", "Nouvelle page"),
    "menu": ("Menu", "Menus", "Nouveau menu"),
    "document": ("Document", "Documents", "Nouveau document"),
}
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
RESERVED_SLUGS = frozenset({"fichier", "image"})  # the suffixes of an item's address
WRITERS = frozenset({"editor"})  # who writes and deletes private items (admin implies it)
READERS = frozenset({"editor", "reviewer"})


class ContentError(Exception):
    """Refused input or action; the message is the French sentence to show, `field` the
    form field it is about."""

    def __init__(self, message: str, field: str | None = None, code: str = "refused") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


def roles(actor: Actor, town_id: int) -> frozenset[str]:
    return actor.roles_on(None, town_id)


def may_write(actor: Actor, town_id: int) -> bool:
    return bool(WRITERS & roles(actor, town_id))


def may_read(actor: Actor, town_id: int) -> bool:
    return bool(READERS & roles(actor, town_id))


def _require_writer(actor: Actor, item: ContentItem | None, town_id: int) -> None:
    if not may_write(actor, town_id):
        raise ContentError(messages.reason_fr("forbidden"), code="forbidden")
    if item is not None and item.state != "private":
        raise ContentError(
            "Seul un contenu privé se modifie : retirez-le de la publication (ou attendez "
            "la décision du relecteur) avant de le modifier.",
            code="not_private",
        )


@dataclass
class ItemInput:
    """What an editor typed for an item. Moments are naive UTC."""

    kind: str
    folder_id: int | None
    title: str = ""
    slug: str = ""
    summary: str = ""
    body: str = ""
    effective_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    image_alt: str = ""
    to_read: bool = False
    site_id: int | None = None
    week_start: dt.date | None = None
    position: int = 0


@dataclass
class Files:
    """The files sent with a form, and where they go."""

    store: Store
    document: Upload | None = None
    image: Upload | None = None
    remove_image: bool = False
    max_pdf: int | None = None
    max_image: int | None = None


def _values(town_id: int, data: ItemInput, item: ContentItem | None) -> dict:
    """The columns of an item from what was typed, or ContentError."""
    if data.kind not in KINDS:
        raise ContentError("Type de contenu inconnu.", "kind")
    folder = Folder.get_or_none(Folder.id == data.folder_id, Folder.town == town_id)
    if folder is None:
        raise ContentError("Choisissez le dossier où ranger ce contenu.", "folder")
    values = {"folder": folder.id, "position": data.position}
    if data.kind == "menu":
        site = Site.get_or_none(Site.id == data.site_id, Site.town == town_id)
        if site is None:
            raise ContentError("Choisissez la structure (le restaurant scolaire).", "site")
        if data.week_start is None:
            raise ContentError("Indiquez la semaine du menu.", "week_start")
        week = data.week_start - dt.timedelta(days=data.week_start.weekday())
        taken = ContentItem.select().where(
            ContentItem.site == site.id, ContentItem.week_start == week
        )
        if item is not None:
            taken = taken.where(ContentItem.id != item.id)
        if taken.exists():
            raise ContentError(
                "Un menu existe déjà pour cette structure et cette semaine : modifiez-le.",
                "week_start",
            )
        title = f"Menu de la {week_title(week)} – {site.name}"
        values.update(site=site.id, week_start=week, title=title)
        values["slug"] = f"menu-{slugify(site.name)}-{week.isoformat()}"
    else:
        title = " ".join((data.title or "").split())
        if not title:
            raise ContentError("Indiquez un titre.", "title")
        if len(title) > 200:
            raise ContentError("Le titre est trop long (200 caractères au plus).", "title")
        values["title"] = title
        values["slug"] = (data.slug or "").strip().lower() or slugify(title)
    slug = values["slug"]
    if not SLUG.fullmatch(slug) or len(slug) > 120 or slug in RESERVED_SLUGS:
        raise ContentError(
            "L'adresse ne peut contenir que des lettres minuscules sans accent, des chiffres "
            "et des tirets (ex. : reglement-interieur).",
            "slug",
        )
    same = ContentItem.select().where(ContentItem.folder == folder.id, ContentItem.slug == slug)
    if item is not None:
        same = same.where(ContentItem.id != item.id)
    if same.exists():
        raise ContentError(
            f"L'adresse « {slug} » est déjà prise dans le dossier « {folder.title} » : "
            "choisissez-en une autre.",
            "slug",
        )
    if data.effective_at and data.expires_at and data.expires_at <= data.effective_at:
        raise ContentError("La date d'expiration doit suivre la date de publication.", "expires_at")
    body = clean_html(data.body)
    summary = " ".join((data.summary or "").split())[:1000]
    values.update(
        summary=summary,
        body=body,
        search_text=fold(f"{values['title']} {summary} {plain_text(body)}"),
        effective_at=data.effective_at,
        expires_at=data.expires_at,
        to_read=bool(data.to_read) and data.kind in ("document", "page"),
        updated_at=utcnow(),
    )
    if data.kind == "news":
        values["image_alt"] = " ".join((data.image_alt or "").split())[:300]
    return values


def _files(town_id: int, kind: str, item: ContentItem | None, values: dict, files: Files):
    """Check the files (nothing written yet), then return what to write: (upload, ext,
    column) pairs, and the columns that change."""
    writes = []
    if files.document is not None and files.document.filename:
        if kind not in ("document", "page"):
            raise ContentError("Seuls les documents et les pages ont un fichier joint.", "file")
        try:
            check_pdf(files.document, **_limit(files.max_pdf))
        except FileRefused as exc:
            raise ContentError(str(exc), "file") from None
        writes.append((files.document.data, ".pdf", "file_name"))
        values["download_name"] = download_name(values["title"], files.document.filename)
        values["file_size"] = len(files.document.data)
    elif kind == "document" and not (item and item.file_name):
        raise ContentError("Joignez le document PDF.", "file")
    elif item is not None and item.file_name:
        values["download_name"] = download_name(values["title"], item.download_name)
    if files.image is not None and files.image.filename:
        if kind != "news":
            raise ContentError("Seules les actualités ont une image.", "image")
        try:
            mime, ext = image_type(files.image, **_limit(files.max_image))
        except FileRefused as exc:
            raise ContentError(str(exc), "image") from None
        writes.append((files.image.data, ext, "image_name"))
        values["image_type"] = mime
    elif files.remove_image:
        values.update(image_name="", image_type="", image_alt="")
    has_image = (files.image and files.image.filename) or (
        item is not None and item.image_name and not files.remove_image
    )
    if has_image and not values.get("image_alt"):
        raise ContentError(
            "Décrivez l'image en quelques mots (texte alternatif, lu aux personnes aveugles).",
            "image_alt",
        )
    return writes


def _limit(value: int | None) -> dict:
    return {"max_bytes": value} if value else {}


def _save(town_id: int, item: ContentItem | None, values: dict, writes, store: Store, write):
    """Write the files, then the row (by `write`); a refusal by the database removes the
    files written, and the files replaced are removed once the change has committed."""
    written = []
    try:
        for data, ext, column in writes:
            values[column] = store.write(town_id, data, ext)
            written.append(values[column])
        with transaction():
            result = write(values)
            for column in ("file_name", "image_name"):
                old = getattr(item, column, "") if item is not None else ""
                if old and values.get(column, old) != old:
                    after_commit(lambda old=old: store.delete(old))
    except IntegrityError:
        for name in written:
            store.delete(name)
        raise ContentError(
            "Cette adresse ou ce menu existe déjà : choisissez-en une autre.", "slug"
        ) from None
    except BaseException:
        for name in written:
            store.delete(name)
        raise
    return result


def create_item(actor: Actor, town_id: int, data: ItemInput, files: Files) -> ContentItem:
    """A new item, private, by the workflow's creating transition (its first history
    row), with its files."""
    _require_writer(actor, None, town_id)
    values = _values(town_id, data, None)
    writes = _files(town_id, data.kind, None, values, files)
    values.update(town=town_id, kind=data.kind, author=actor.account_id)

    def write(values):
        return engine.create(CONTENT, "create", actor, owner=(None, town_id), values=values)

    return _save(town_id, None, values, writes, files.store, write)


def update_item(actor: Actor, item: ContentItem, data: ItemInput, files: Files) -> ContentItem:
    _require_writer(actor, item, item.town_id)
    data.kind = item.kind
    values = _values(item.town_id, data, item)
    writes = _files(item.town_id, item.kind, item, values, files)
    before = audit.snapshot(item)

    def write(values):
        n = (
            ContentItem.update(**values)
            .where(ContentItem.id == item.id, ContentItem.state == "private")
            .execute()
        )
        if n != 1:
            raise ContentError("Ce contenu a changé entre-temps : rechargez la page.")
        saved = ContentItem.get_by_id(item.id)
        audit.record_for(
            actor,
            item.town_id,
            "edit",
            audit.KINDS["ContentItem"],
            saved,
            before,
            audit.snapshot(saved),
        )
        return saved

    return _save(item.town_id, item, values, writes, files.store, write)


def delete_item(actor: Actor, item: ContentItem, store: Store) -> None:
    """A private item goes, with its dishes and files (its history stays)."""
    _require_writer(actor, item, item.town_id)
    with transaction():
        Dish.delete().where(Dish.menu == item.id).execute()
        n = (
            ContentItem.delete()
            .where(ContentItem.id == item.id, ContentItem.state == "private")
            .execute()
        )
        if n != 1:
            raise ContentError("Ce contenu a changé entre-temps : rechargez la page.")
        audit.record_for(
            actor,
            item.town_id,
            "delete",
            audit.KINDS["ContentItem"],
            item,
            audit.snapshot(item),
            None,
        )
        for name in (item.file_name, item.image_name):
            after_commit(lambda name=name: store.delete(name))


def save_dishes(actor: Actor, item: ContentItem, dishes: list[DishInput]) -> int:
    """Replace a private menu's dishes."""
    _require_writer(actor, item, item.town_id)
    if item.kind != "menu":
        raise ContentError("Seuls les menus ont des plats.")
    return write_dishes(item, dishes)
