"""Demo data: a town in zone A for the current school year, thirty households, and the
three demo logins of the README."""

from __future__ import annotations

import datetime as dt
import random

from models import (
    Account,
    Child,
    Enrolment,
    Guardian,
    Household,
    SchoolYear,
    Service,
    Site,
    Town,
    Unit,
    transaction,
)

from . import school_years, second_factor
from .accounts import hash_password
from .content_demo import create_content_demo
from .opening_demo import create_opening_demo

PARENT = ("parent@demo.fr", "demo-parent")
AGENT = ("agent@demo.fr", "demo-agent")
ADMIN = ("admin@demo.fr", "demo-admin")

FIRST = [
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Emma",
    "Jules",
    "Manon",
    "Gabriel",
    "Inès",
    "Arthur",
    "Jade",
    "Raphaël",
    "Zoé",
    "Nathan",
    "Lina",
    "Adam",
    "Rose",
    "Noé",
    "Alice",
    "Éthan",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèbvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
]


def school_year(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """1 September to 4 July of the school year that `today` falls in (the computed year,
    school_years.computed)."""
    return school_years.computed(today)


def create_town(name="Ville de Démo", slug="demo", zone="A", today=None) -> Town:
    start, end = school_year(today)
    town = Town.create(
        name=name,
        slug=slug,
        zone=zone,
        adhesion_code=f"{slug.upper()}-2026",
        address="Place de la Mairie, 64140 Démo",
        contact_email="periscolaire@demo.fr",
        contact_phone="05 59 00 00 00",
    )
    # The current and the next school year, as the town's own (its settings may change them).
    for year_start in (start, start.replace(year=start.year + 1)):
        SchoolYear.create(town=town, start=year_start, end=dt.date(year_start.year + 1, 7, 4))
    canteen = Service.create(town=town, name="Restauration scolaire")
    care = Service.create(town=town, name="Accueil périscolaire")
    wednesday = Service.create(town=town, name="ALSH mercredi")
    schools = [
        Site.create(town=town, name=n) for n in ("École Jean Moulin", "École Claude Nougaro")
    ]
    leisure = Site.create(town=town, name="Centre de loisirs Anim'action")
    pos = 0
    for site in schools:
        for code, label in (("REPAS", "Repas"), ("PAI", "Repas PAI")):
            pos += 1
            Unit.create(
                service=canteen,
                site=site,
                code=code,
                label=label,
                weekdays="1245",
                approval_mode="timer",
                position=pos,
                exclusive_group="repas",  # a child has the canteen's meal or their own
            )
        for code, label in (
            ("GARDERIE MATIN", "Garderie du matin"),
            ("GARDERIE 16H30-18H30", "Garderie 16h30–18h30"),
        ):
            pos += 1
            Unit.create(
                service=care,
                site=site,
                code=code,
                label=label,
                weekdays="1245",
                approval_mode="timer",
                book_count=2,
                cancel_count=2,
                capacity=60,
                position=pos,
            )
    for code, label in (
        ("MERCREDI MATIN", "Mercredi matin"),
        ("MERCREDI REPAS", "Mercredi repas"),
        ("MERCREDI APRES-MIDI", "Mercredi après-midi"),
    ):
        pos += 1
        Unit.create(
            service=wednesday,
            site=leisure,
            code=code,
            label=label,
            weekdays="3",
            approval_mode="staff",
            book_unit="calendar_days",
            book_count=7,
            cancel_unit="calendar_days",
            cancel_count=7,
            book_cutoff=dt.time(12, 0),
            cancel_cutoff=dt.time(12, 0),
            capacity=24,
            waiting_list=True,
            position=pos,
        )
    town._demo = {
        "start": start,
        "end": end,
        "canteen": canteen,
        "care": care,
        "wednesday": wednesday,
        "schools": schools,
        "leisure": leisure,
    }
    return town


def create_household(
    town: Town,
    name: str,
    children: list[str],
    *,
    email: str | None = None,
    password: str | None = None,
    site: Site | None = None,
    services=(),
    start=None,
    end=None,
    password_hash: str | None = None,
) -> Household:
    """A household with its reference guardian (and login when `email` is given), its
    children, and each child enrolled in `services` ((service, site, usual days) triples)
    from `start` to `end`."""
    household = Household.create(
        town=town,
        name=name,
        qf=random.randint(300, 1600),
        qf_updated=dt.date.today(),
        dependent_children=len(children),
        address=f"{random.randint(1, 90)} rue des Écoles",
    )
    account = None
    if email:
        account = Account.create(
            email=email, password_hash=password_hash or hash_password(password)
        )
    Guardian.create(
        household=household,
        account=account,
        civility="Mme",
        first_name="Camille",
        last_name=name,
        email=email or "",
        phone="06 00 00 00 00",
        is_reference=True,
    )
    for first in children:
        child = Child.create(
            household=household,
            first_name=first,
            last_name=name,
            birth_date=dt.date(2017, 3, 14),
            school=site.name if site else "",
            class_name="CE1",
        )
        for service, service_site, days in services:
            Enrolment.create(
                child=child,
                service=service,
                site=service_site,
                start=start,
                end=end,
                usual_days=days,
            )
    return household


def create_demo(
    today: dt.date | None = None,
    households: int = 30,
    seed: int = 7,
    content_dir=None,
    config=None,
) -> Town:
    random.seed(seed)
    with transaction():
        town = create_town(today=today)
        d = town._demo
        staff_hash = {}
        for (email, password), roles in ((AGENT, "approver"), (ADMIN, "admin,approver,finance")):
            staff_hash[email] = hash_password(password)
            Account.create(
                email=email, password_hash=staff_hash[email], is_staff=True, roles=roles, town=town
            )
        school = d["schools"][0]
        create_household(
            town,
            "Martin",
            ["Léa", "Hugo"],
            email=PARENT[0],
            password=PARENT[1],
            site=school,
            services=[
                (d["canteen"], school, "1245"),
                (d["care"], school, "124"),
                (d["wednesday"], d["leisure"], "3"),
            ],
            start=d["start"],
            end=d["end"],
        )
        shared_hash = hash_password("demo-famille")  # one hash for the other 29 logins
        for i in range(1, households):
            site = d["schools"][i % 2]
            names = random.sample(FIRST, random.randint(1, 3))
            usual = random.choice(["1245", "124", "12", "45"])
            services = [(d["canteen"], site, usual)]
            if i % 3 == 0:
                services.append((d["care"], site, usual))
            if i % 4 == 0:
                services.append((d["wednesday"], d["leisure"], "3"))
            create_household(
                town,
                LAST[i % len(LAST)],
                names,
                email=f"famille{i:02d}@demo.fr",
                password_hash=shared_hash,
                site=site,
                services=services,
                start=d["start"],
                end=d["end"],
            )
        if content_dir is not None:  # news, pages, menus and documents (content_demo)
            create_content_demo(town, content_dir, today)
        from .staff_demo import create_staff_demo  # imports the operations: not at the top

        create_staff_demo(town, today)  # the animator, walk-in prices, two weeks of meals
        create_opening_demo(town, today)  # a summer centre open for requests
        # prices, the last two months booked and invoiced, payments, a pending request
        from .billing_demo import create_billing_demo  # imports the operations too

        create_billing_demo(
            town, today or dt.date.today(), Account.get(Account.email == ADMIN[0]), config
        )
        # a child shared by two homes (garde alternée), from today
        from .custody_demo import create_custody_demo

        create_custody_demo(town, today or dt.date.today(), Account.get(Account.email == ADMIN[0]))
        # Each staff login gets its TOTP secret now, printed once by `demo-data`; its first
        # sign-in still enrols (the QR code of this secret, a first code, recovery codes).
        d["totp_secrets"] = {
            a.email: second_factor.preset_secret(a)
            for a in Account.select().where(Account.town == town, Account.is_staff)
        }
    return town
