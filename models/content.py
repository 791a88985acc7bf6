"""The town's content, in the manner of Plone: folders in a tree, and in them items of four
kinds (news, page, menu, document) that move through the CONTENT workflow. A menu is one
site's week, with its dishes; a document (or a page) may carry a PDF, and a news item an
image, stored as files in CONTENT_DIR (the rows keep only their names)."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .catalogue import Site
from .db import BaseModel
from .families import Account, Child, Town, utcnow

KINDS = ("news", "page", "menu", "document")


class Folder(BaseModel):
    """A folder of the town's tree ("Restauration", "Périscolaire"...): its slug is the
    segment of its items' addresses, unique among its siblings."""

    town = ForeignKeyField(Town, backref="folders", on_delete="CASCADE")
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    title = CharField()
    slug = CharField()
    description = TextField(default="")
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("town", "parent", "slug"), True),)

    def __str__(self) -> str:
        return self.title


class ContentItem(BaseModel):
    """One item of content. `state` is the CONTENT workflow's (private, pending, published),
    changed only through it. It is shown to parents and visitors only when published, once
    its publication date (`effective_at`, Plone's effective date) has come and before its
    expiry (`expires_at`, after which the timer's job takes it back to private)."""

    town = ForeignKeyField(Town, backref="content", on_delete="CASCADE")
    folder = ForeignKeyField(Folder, backref="items", on_delete="RESTRICT")
    kind = CharField()
    title = CharField()
    slug = CharField()
    summary = TextField(default="")
    body = TextField(default="")  # sanitised HTML (nh3), cleaned again when shown
    search_text = TextField(default="")  # title, summary and body, folded for search
    state = CharField(default="private")
    effective_at = DateTimeField(null=True)  # naive UTC; None: as soon as published
    expires_at = DateTimeField(null=True)  # naive UTC; None: never
    published_at = DateTimeField(null=True)
    author = ForeignKeyField(Account, null=True, on_delete="SET NULL", backref="+")
    submitted_by = ForeignKeyField(Account, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    position = IntegerField(default=0)
    # a news item's image (PNG, JPEG or WebP) and what it shows, for screen readers
    image_name = CharField(default="")
    image_type = CharField(default="")
    image_alt = CharField(default="")
    # a document's PDF (a page may carry one too): the stored file, the name it is
    # downloaded under, its size
    file_name = CharField(default="")
    download_name = CharField(default="")
    file_size = IntegerField(default=0)
    to_read = BooleanField(default=False)  # a document the town marks "à lire"
    # a menu: one site's week (its Monday)
    site = ForeignKeyField(Site, null=True, backref="menus", on_delete="CASCADE")
    week_start = DateField(null=True)

    class Meta:
        indexes = (
            (("folder", "slug"), True),
            (("site", "week_start"), True),
            (("town", "kind", "state"), False),
        )

    def __str__(self) -> str:
        return self.title


COURSES = ("starter", "main", "dessert", "snack")


class Dish(BaseModel):
    """One dish of a menu's day: its course, labels ("bio", "fait maison"...), the
    allergens of EU regulation 1169/2011 annex II it contains, and what it is made of for
    the children's meal options (porc, viande, poisson). Codes, comma-separated."""

    menu = ForeignKeyField(ContentItem, backref="dishes", on_delete="CASCADE")
    day = DateField()
    course = CharField()
    name = CharField()
    labels = CharField(default="")
    allergens = CharField(default="")
    contains = CharField(default="")
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("menu", "day"), False),)

    def __str__(self) -> str:
        return self.name


class ChildAllergen(BaseModel):
    """An allergen of a child's PAI (projet d'accueil individualisé), recorded by staff, so
    that the week's menu points at the dishes that contain it."""

    child = ForeignKeyField(Child, backref="allergens", on_delete="CASCADE")
    allergen = CharField()

    class Meta:
        indexes = ((("child", "allergen"), True),)

    def __str__(self) -> str:
        return self.allergen
