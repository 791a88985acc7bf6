"""The demo town's content: a folder tree, published pages, news and menus, a private
draft and an item waiting for review, written by the demo editor and published by the
demo reviewer through the same operations as the admin's (so each has its history)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from models import Account, Child, Household, Site, Town, Unit, utcnow
from models.content import ChildAllergen

from . import content, menus, publication
from .accounts import actor_for, hash_password
from .content_files import Store, Upload
from .content_folders import FolderInput, save_folder
from .documents import html_to_pdf
from .menus import DishInput

EDITOR = ("editor@demo.fr", "demo-editor")
REVIEWER = ("reviewer@demo.fr", "demo-reviewer")

RULES_HTML = """<html><head><meta charset="utf-8"><style>
body { font-family: Helvetica; font-size: 11pt; } h1 { font-size: 16pt; }</style></head><body>
<h1>Règlement intérieur de la restauration scolaire</h1>
<p>{town}</p>
<h2>1. Inscription</h2><p>Le service de restauration est ouvert aux enfants inscrits
auprès du service Éducation. Les repas se réservent sur le Portail Famille, au plus tard
trois jours ouvrés avant le repas, à 9 h 00.</p>
<h2>2. Allergies et PAI</h2><p>Un enfant allergique est accueilli dans le cadre d'un projet
d'accueil individualisé (PAI) signé par la famille, le médecin scolaire et la commune.</p>
<h2>3. Comportement</h2><p>Le temps du repas est un moment de détente et d'éducation au
goût : chacun respecte les autres enfants, les agents et la nourriture.</p>
</body></html>"""

WEEKS = [
    {  # this week: Monday's main dish is the one the README promises
        0: [
            ("starter", "Carottes râpées vinaigrette", "bio", "mustard", ""),
            ("main", "Hachis parmentier", "fait_maison", "milk", "viande"),
            ("dessert", "Yaourt nature", "bio", "milk", ""),
            ("snack", "Pain et barre de chocolat", "", "gluten,milk,soybeans", ""),
        ],
        1: [
            ("starter", "Salade de lentilles", "", "mustard", ""),
            ("main", "Filet de colin, riz pilaf", "", "fish", "poisson"),
            ("dessert", "Pomme", "bio,local", "", ""),
            ("snack", "Compote et biscuit", "", "gluten,eggs", ""),
        ],
        3: [
            ("starter", "Velouté de potiron", "fait_maison", "celery,milk", ""),
            ("main", "Sauté de porc au caramel, haricots verts", "", "soybeans", "porc,viande"),
            ("dessert", "Fromage blanc", "", "milk", ""),
            ("snack", "Banane et verre de lait", "", "milk", ""),
        ],
        4: [
            ("starter", "Betteraves", "bio", "", ""),
            ("main", "Omelette, pommes de terre sautées", "vegetarien", "eggs", ""),
            ("dessert", "Tarte aux pommes", "fait_maison", "gluten,eggs,milk", ""),
            ("snack", "Pain et fromage", "", "gluten,milk", ""),
        ],
    },
    {  # next week
        0: [
            ("starter", "Concombre à la crème", "", "milk", ""),
            ("main", "Lasagnes à la bolognaise", "fait_maison", "gluten,eggs,milk", "viande"),
            ("dessert", "Clémentines", "", "", ""),
            ("snack", "Brioche", "", "gluten,eggs,milk", ""),
        ],
        1: [
            ("starter", "Œuf dur mayonnaise", "", "eggs,mustard", ""),
            ("main", "Saucisse de Toulouse, lentilles", "label_rouge", "sulphites", "porc,viande"),
            ("dessert", "Crème dessert vanille", "", "milk", ""),
            ("snack", "Pain et confiture", "", "gluten", ""),
        ],
        3: [
            ("starter", "Salade verte", "bio,local", "mustard", ""),
            ("main", "Curry de pois chiches et riz", "vegetarien", "celery", ""),
            ("dessert", "Poire", "bio", "", ""),
            ("snack", "Yaourt à boire", "", "milk", ""),
        ],
        4: [
            ("starter", "Taboulé", "fait_maison", "gluten", ""),
            ("main", "Poisson pané, purée de brocolis", "", "fish,gluten,milk", "poisson"),
            ("dessert", "Gâteau au yaourt", "fait_maison", "gluten,eggs,milk", ""),
            ("snack", "Fruit de saison", "local", "", ""),
        ],
    },
]


def _dishes(week_start: dt.date, days: dict) -> list[DishInput]:
    return [
        DishInput(
            week_start + dt.timedelta(days=offset),
            course,
            name,
            tuple(labels.split(",")),
            tuple(allergens.split(",")),
            tuple(contains.split(",")),
        )
        for offset, dishes in days.items()
        for course, name, labels, allergens, contains in dishes
    ]


def _staff(town: Town, email: str, password: str, roles: str) -> Account:
    return Account.create(
        email=email, password_hash=hash_password(password), is_staff=True, roles=roles, town=town
    )


def create_content_demo(town: Town, content_dir: str | Path, today: dt.date | None = None):
    """The demo content of `town` (see the README), files under `content_dir`."""
    today = today or dt.date.today()
    store = Store(content_dir)
    editor = actor_for(_staff(town, *EDITOR, "editor"))
    reviewer = actor_for(_staff(town, *REVIEWER, "reviewer"))
    now = utcnow()

    def folder(title, slug, parent=None, position=0):
        data = FolderInput(title, slug, parent.id if parent else None, position=position)
        return save_folder(editor, town.id, data)

    food = folder("Restauration", "restauration", position=1)
    menu_folder = folder("Menus", "menus", food)
    care = folder("Périscolaire", "periscolaire", position=2)
    life = folder("Vie de la commune", "vie-de-la-commune", position=3)

    def item(kind, where, title, publish=True, files=None, **values):
        data = content.ItemInput(kind, where.id, title, **values)
        made = content.create_item(editor, town.id, data, files or content.Files(store))
        if publish is not None:
            publication.fire(editor, made, "submit")
            if publish:
                publication.fire(reviewer, made, "publish")
        return made

    pdf = html_to_pdf(RULES_HTML.replace("{town}", town.name))
    item(
        "page",
        food,
        "Règlement intérieur de la restauration scolaire",
        slug="reglement-interieur",
        summary="Les règles du temps du repas, les réservations, les allergies.",
        body="<div>Le règlement intérieur s'applique à tous les enfants qui déjeunent au "
        "restaurant scolaire. Merci de le lire avec votre enfant.</div>",
        to_read=True,
        files=content.Files(store, document=Upload("reglement-interieur.pdf", pdf)),
    )
    item(
        "page",
        food,
        "Tarifs",
        summary="Le prix du repas selon le quotient familial.",
        body="<div>Le prix du repas dépend du <strong>quotient familial</strong> de la CAF. "
        "Sans quotient connu, le tarif le plus élevé s'applique.</div>",
    )
    year = today.year if today.month >= 8 else today.year - 1
    item(
        "page",
        care,
        f"Inscriptions {year + 1}-{year + 2}",
        body="<div>Les inscriptions aux services périscolaires de l'année prochaine se font "
        "sur le Portail Famille, rubrique <em>Mes inscriptions</em>.</div>",
    )
    item(
        "news",
        food,
        "Repas de Noël à la cantine",
        summary="Un menu de fête pour le dernier jeudi avant les vacances.",
        body="<div>Le dernier jeudi avant les vacances, les enfants déjeunent d'un "
        "<strong>menu de fête</strong> : velouté, dinde aux marrons et bûche.</div>",
        effective_at=now - dt.timedelta(days=2),
    )
    item(
        "news",
        life,
        "Sortie au musée (brouillon)",
        publish=None,
        summary="Une sortie au musée pour les enfants de l'ALSH.",
        body="<div>À compléter : date, horaires et tarif.</div>",
    )
    item(
        "news",
        care,
        "Inscriptions à l'ALSH des vacances d'hiver",
        publish=False,
        summary="Les inscriptions ouvrent bientôt sur le Portail Famille.",
        body="<div>Les inscriptions à l'accueil de loisirs des vacances d'hiver ouvrent "
        "lundi à 9 h 00.</div>",
    )
    week = menus.monday(today)
    canteens = (
        Site.select()
        .join(Unit, on=(Unit.site == Site.id))
        .where(Site.town == town.id, Unit.code == "REPAS")
        .distinct()
        .order_by(Site.id)
    )
    for site in canteens:
        for offset, days in enumerate(WEEKS):
            start = week + dt.timedelta(days=7 * offset)
            made = item("menu", menu_folder, "", publish=None, site_id=site.id, week_start=start)
            content.save_dishes(editor, made, _dishes(start, days))
            publication.fire(editor, made, "submit")
            publication.fire(reviewer, made, "publish")
    # The demo family's children: Léa eats no pork, Hugo's PAI is for eggs.
    martin = Household.get_or_none(Household.town == town.id, Household.name == "Martin")
    if martin is not None:
        kids = {c.first_name: c for c in Child.select().where(Child.household == martin.id)}
        if "Léa" in kids:
            Child.update(meal_option="sans porc").where(Child.id == kids["Léa"].id).execute()
        if "Hugo" in kids:
            Child.update(has_pai=True).where(Child.id == kids["Hugo"].id).execute()
            ChildAllergen.create(child=kids["Hugo"].id, allergen="eggs")
