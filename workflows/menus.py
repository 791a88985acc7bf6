"""The canteen's weekly menus: the 14 allergens of EU regulation 1169/2011 (annex II), the
labels of a dish, what it is made of, and which dishes a child's meal option or PAI
conflicts with. A menu is a content item of kind "menu" (one site, one week); its dishes
are written while it is private, like any content."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models import Child, Site, transaction, utcnow
from models.content import COURSES, ChildAllergen, ContentItem, Dish

from . import content_rules
from .calendar import format_date_fr
from .rich_text import fold

# EU regulation 1169/2011, annex II: the substances causing allergies or intolerances.
ALLERGENS = {
    "gluten": "Céréales contenant du gluten",
    "crustaceans": "Crustacés",
    "eggs": "Œufs",
    "fish": "Poissons",
    "peanuts": "Arachides",
    "soybeans": "Soja",
    "milk": "Lait",
    "nuts": "Fruits à coque",
    "celery": "Céleri",
    "mustard": "Moutarde",
    "sesame": "Graines de sésame",
    "sulphites": "Anhydride sulfureux et sulfites",
    "lupin": "Lupin",
    "molluscs": "Mollusques",
}
LABELS = {
    "bio": "Bio",
    "fait_maison": "Fait maison",
    "vegetarien": "Végétarien",
    "local": "Produit local",
    "label_rouge": "Label rouge",
}
CONTAINS = {"porc": "Porc", "viande": "Viande", "poisson": "Poisson"}
COURSE_WORDS = {"starter": "Entrée", "main": "Plat", "dessert": "Dessert", "snack": "Goûter"}
WEEKDAYS = 5  # Monday to Friday


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def shown_week(today: dt.date) -> dt.date:
    """The week a parent is shown: this one, or the next from Saturday on."""
    return monday(today + dt.timedelta(days=2 if today.weekday() >= 5 else 0))


def week_days(week_start: dt.date) -> list[dt.date]:
    return [week_start + dt.timedelta(days=i) for i in range(WEEKDAYS)]


def week_title(week_start: dt.date) -> str:
    return f"semaine du {format_date_fr(week_start, 'EEEE d MMMM y')}"


def _codes(value: str) -> list[str]:
    return [c for c in (value or "").split(",") if c]


def excluded_by(meal_option: str) -> frozenset[str]:
    """What a meal option leaves out ('sans porc', 'sans viande', 'végétarien'), as codes
    of CONTAINS. The option is the family's words: read loosely, never guessed beyond."""
    words = fold(meal_option)
    if "vegetarien" in words:
        return frozenset({"porc", "viande", "poisson"})
    if "viande" in words:
        return frozenset({"porc", "viande"})
    if "porc" in words:
        return frozenset({"porc"})
    return frozenset()


@dataclass(frozen=True)
class DishInput:
    """A dish as an editor typed it."""

    day: dt.date
    course: str
    name: str
    labels: tuple[str, ...] = ()
    allergens: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()


@dataclass
class Warning:
    child: str  # first name
    why: str  # "sans porc", "PAI : Arachides"


@dataclass
class DishView:
    course: str
    name: str
    labels: list[str]
    allergens: list[str]  # French names
    contains: list[str]
    warnings: list[Warning] = field(default_factory=list)

    @property
    def course_fr(self) -> str:
        return COURSE_WORDS.get(self.course, self.course)


@dataclass
class DayView:
    day: dt.date
    dishes: list[DishView]


@dataclass
class WeekMenu:
    item: ContentItem
    site: Site
    days: list[DayView]
    children: list[str] = field(default_factory=list)  # whose site it is (the home)
    notes: list[str] = field(default_factory=list)  # e.g. a PAI without allergens recorded


def clean_dishes(item: ContentItem, dishes: list[DishInput]) -> list[dict]:
    """The rows of `dishes` for `item`, keeping only days of its week, known courses and
    codes, and dishes with a name."""
    days = set(week_days(item.week_start)) if item.week_start else set()
    rows = []
    for position, d in enumerate(dishes):
        name = " ".join((d.name or "").split())[:200]
        if not name or d.day not in days or d.course not in COURSES:
            continue
        rows.append(
            {
                "menu": item.id,
                "day": d.day,
                "course": d.course,
                "name": name,
                "labels": ",".join(c for c in LABELS if c in d.labels),
                "allergens": ",".join(c for c in ALLERGENS if c in d.allergens),
                "contains": ",".join(c for c in CONTAINS if c in d.contains),
                "position": position,
            }
        )
    return rows


def write_dishes(item: ContentItem, dishes: list[DishInput]) -> int:
    """Replace the menu's dishes (the caller has checked that it may be edited), and what
    search reads of it."""
    rows = clean_dishes(item, dishes)
    with transaction():
        Dish.delete().where(Dish.menu == item.id).execute()
        if rows:
            Dish.insert_many(rows).execute()
        words = " ".join(r["name"] for r in rows)
        ContentItem.update(search_text=fold(f"{item.title} {words}"), updated_at=utcnow()).where(
            ContentItem.id == item.id
        ).execute()
    return len(rows)


def dishes_of(item_id: int) -> list[Dish]:
    return list(
        Dish.select().where(Dish.menu == item_id).order_by(Dish.day, Dish.position, Dish.id)
    )


def _view(dish: Dish, children: list[tuple[Child, frozenset[str]]]) -> DishView:
    allergens = _codes(dish.allergens)
    contains = set(_codes(dish.contains))
    view = DishView(
        dish.course,
        dish.name,
        [LABELS.get(c, c) for c in _codes(dish.labels)],
        [ALLERGENS.get(c, c) for c in allergens],
        [CONTAINS.get(c, c) for c in _codes(dish.contains)],
    )
    for child, pai in children:
        if child.meal_option and excluded_by(child.meal_option) & contains:
            view.warnings.append(Warning(child.first_name, child.meal_option))
        hits = [ALLERGENS[c] for c in allergens if c in pai]
        if hits:
            view.warnings.append(Warning(child.first_name, "PAI : " + ", ".join(hits)))
    return view


def week_menu(item: ContentItem, children: list[Child] = ()) -> WeekMenu:
    """The menu's days and dishes, with the conflicts of `children` (their meal option, the
    allergens of their PAI) marked on the dishes."""
    children = list(children)
    pai = {c.id: set() for c in children}
    if children:
        rows = ChildAllergen.select().where(ChildAllergen.child.in_([c.id for c in children]))
        for row in rows:
            pai[row.child_id].add(row.allergen)
    pairs = [(c, frozenset(pai[c.id])) for c in children]
    by_day: dict[dt.date, list[DishView]] = {}
    for dish in dishes_of(item.id):
        by_day.setdefault(dish.day, []).append(_view(dish, pairs))
    for dishes in by_day.values():
        dishes.sort(key=lambda d: COURSES.index(d.course) if d.course in COURSES else 9)
    menu = WeekMenu(
        item,
        item.site,
        [DayView(day, by_day[day]) for day in week_days(item.week_start) if day in by_day],
        [c.first_name for c in children],
    )
    for child, allergens in pairs:
        if child.has_pai and not allergens:
            menu.notes.append(
                f"{child.first_name} a un PAI dont les allergènes ne sont pas renseignés : "
                "vérifiez les allergènes de chaque plat avec l'équipe de restauration."
            )
    return menu


def published_menus(site_ids, week_start: dt.date, now: dt.datetime | None = None):
    """The visible menus of `week_start` at these sites, by site id."""
    site_ids = list(site_ids)
    if not site_ids:
        return {}
    rows = (
        ContentItem.select(ContentItem, Site)
        .join(Site)
        .where(
            ContentItem.kind == "menu",
            ContentItem.site.in_(site_ids),
            ContentItem.week_start == week_start,
            content_rules.visible(now),
        )
    )
    return {item.site_id: item for item in rows}


def visible_dishes(site_id: int, start: dt.date, end: dt.date, now: dt.datetime | None = None):
    """The dishes of visible menus at `site_id` served from `start` to `end` (the API)."""
    return list(
        Dish.select(Dish, ContentItem)
        .join(ContentItem)
        .where(
            ContentItem.kind == "menu",
            ContentItem.site == site_id,
            content_rules.visible(now),
            Dish.day.between(start, end),
        )
        .order_by(Dish.day, Dish.position, Dish.id)
    )
