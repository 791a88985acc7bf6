"""The town's tree of folders: written by editors, each with a slug unique among its
siblings; a folder that holds items or folders is never deleted. `FolderTree` reads a
town's tree at once, for addresses and menus."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError

from models import Town, transaction
from models.content import ContentItem, Folder

from . import audit
from .content import SLUG, ContentError, may_write
from .engine import Actor
from .rich_text import french_key, slugify


@dataclass
class FolderInput:
    title: str
    slug: str = ""
    parent_id: int | None = None
    description: str = ""
    position: int = 0


def save_folder(actor: Actor, town_id: int, data: FolderInput, folder: Folder | None = None):
    if not may_write(actor, town_id):
        raise ContentError("Cette action n'est pas permise à votre compte.", code="forbidden")
    title = " ".join((data.title or "").split())[:120]
    if not title:
        raise ContentError("Indiquez le titre du dossier.", "title")
    slug = (data.slug or "").strip().lower() or slugify(title)
    if not SLUG.fullmatch(slug) or len(slug) > 80:
        raise ContentError(
            "L'adresse ne peut contenir que des lettres minuscules sans accent, des chiffres "
            "et des tirets (ex. : restauration).",
            "slug",
        )
    parent = None
    if data.parent_id:
        parent = Folder.get_or_none(Folder.id == data.parent_id, Folder.town == town_id)
        if parent is None:
            raise ContentError("Dossier parent inconnu.", "parent")
        if folder is not None and folder.id in FolderTree(town_id).lineage(parent.id):
            raise ContentError("Un dossier ne peut pas être rangé dans lui-même.", "parent")
    siblings = Folder.select().where(
        Folder.town == town_id,
        Folder.slug == slug,
        Folder.parent.is_null() if parent is None else Folder.parent == parent.id,
    )
    if folder is not None:
        siblings = siblings.where(Folder.id != folder.id)
    if siblings.exists():
        raise ContentError(
            f"L'adresse « {slug} » est déjà prise à cet endroit : choisissez-en une autre.",
            "slug",
        )
    values = {
        "title": title,
        "slug": slug,
        "parent": parent.id if parent else None,
        "description": " ".join((data.description or "").split())[:1000],
        "position": data.position,
    }
    try:
        with transaction():
            before = audit.snapshot(folder) if folder is not None else None
            if folder is None:
                saved = Folder.create(town=town_id, **values)
            else:
                Folder.update(**values).where(Folder.id == folder.id).execute()
                saved = Folder.get_by_id(folder.id)
            audit.record_for(
                actor,
                town_id,
                "create" if folder is None else "edit",
                audit.KINDS["Folder"],
                saved,
                before,
                audit.snapshot(saved),
            )
            return saved
    except IntegrityError:
        raise ContentError("Cette adresse est déjà prise à cet endroit.", "slug") from None


def delete_folder(actor: Actor, folder: Folder) -> None:
    """Refused while the folder holds an item or a folder: nothing is deleted by surprise."""
    if not may_write(actor, folder.town_id):
        raise ContentError("Cette action n'est pas permise à votre compte.", code="forbidden")
    with transaction():
        items = ContentItem.select().where(ContentItem.folder == folder.id).count()
        children = Folder.select().where(Folder.parent == folder.id).count()
        if items or children:
            parts = []
            if items:
                parts.append(f"{items} contenu{'s' if items > 1 else ''}")
            if children:
                parts.append(f"{children} dossier{'s' if children > 1 else ''}")
            raise ContentError(
                f"Le dossier « {folder.title} » contient {' et '.join(parts)} : "
                "déplacez-les ou supprimez-les d'abord.",
                code="not_empty",
            )
        Folder.delete().where(Folder.id == folder.id).execute()
        audit.record_for(
            actor,
            folder.town_id,
            "delete",
            audit.KINDS["Folder"],
            folder,
            audit.snapshot(folder),
            None,
        )


class FolderTree:
    """The folders of some towns, read at once: their paths (slugs from the top), their
    lineage, their children in order."""

    def __init__(self, town_ids) -> None:
        if isinstance(town_ids, int):
            town_ids = [town_ids]
        town_ids = list(town_ids)
        rows = list(Folder.select().where(Folder.town.in_(town_ids))) if town_ids else []
        self.folders = {f.id: f for f in rows}
        self.slugs = {
            t.id: t.slug for t in Town.select(Town.id, Town.slug).where(Town.id.in_(town_ids))
        }

    def lineage(self, folder_id: int) -> list[int]:
        """The folder's id and its ancestors', from the folder up."""
        out, seen = [], set()
        while folder_id is not None and folder_id in self.folders and folder_id not in seen:
            seen.add(folder_id)
            out.append(folder_id)
            folder_id = self.folders[folder_id].parent_id
        return out

    def ancestors(self, folder_id: int) -> list[Folder]:
        """From the top folder down to this one."""
        return [self.folders[i] for i in reversed(self.lineage(folder_id))]

    def path(self, folder_id: int) -> str:
        return "/".join(f.slug for f in self.ancestors(folder_id))

    def town_slug(self, folder_id: int) -> str:
        return self.slugs.get(self.folders[folder_id].town_id, "")

    def children(self, parent_id: int | None, town_id: int | None = None) -> list[Folder]:
        found = [
            f
            for f in self.folders.values()
            if f.parent_id == parent_id and (town_id is None or f.town_id == town_id)
        ]
        return sorted(found, key=lambda f: (f.position, french_key(f.title)))

    def find(self, town_id: int, segments: list[str]) -> Folder | None:
        parent = None
        for slug in segments:
            match = [f for f in self.children(parent, town_id) if f.slug == slug]
            if not match:
                return None
            parent = match[0].id
        return self.folders.get(parent) if parent is not None else None

    def indented(self, town_id: int) -> list[tuple[Folder, int]]:
        """Every folder of the town, depth first, with its depth (the admin's choices)."""
        out = []

        def walk(parent_id, depth):
            for f in self.children(parent_id, town_id):
                out.append((f, depth))
                walk(f.id, depth + 1)

        walk(None, 0)
        return out
