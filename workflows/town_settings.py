"""A town's settings (name, address, contact, logo, school-holiday zone, reminder window,
adhesion code, payment provider) and a new town, each change with its audit row in the
same transaction.

The payment provider's options are two sets: options, shown on the settings screen, and
secrets, never shown back (the screen names them, with no value; a secret left empty keeps
the stored one) and masked in the audit.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets as random
import string
from dataclasses import dataclass

import eopayment

from models import Account, SchoolYear, Town, TownLogo, transaction, utcnow

from . import audit, staff_accounts
from .accounts import AccountError, normalise_email
from .content_files import FileRefused, Upload, image_type
from .school_years import computed

ZONES = (("A", "Zone A"), ("B", "Zone B"), ("C", "Zone C"))
REMINDER_HOURS = (1, 168)  # from one hour to a week before a deadline
MAX_LOGO_BYTES = 512 * 1024
SECRET_WORDS = ("secret", "pass", "key", "cle", "token", "hmac", "sha", "certificat", "private")
MASK = "••••••"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_LETTERS = string.ascii_uppercase + string.digits


class SettingsError(ValueError):
    """A setting refused; `field` is the form field the French message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def backends() -> list[str]:
    """The payment providers eopayment knows, by their eopayment name."""
    return sorted(eopayment.get_backends())


def is_secret(name: str) -> bool:
    """Whether a provider option is a secret (by its name: secret_test, hmac_key…)."""
    low = name.lower()
    return any(word in low for word in SECRET_WORDS)


def parse_lines(field: str, text: str) -> dict[str, str]:
    """'name = value' lines into a dict (blank lines and '#' comments skipped)."""
    out = {}
    for n, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise SettingsError(
                field, f"Ligne {n} : écrivez « nom = valeur », par exemple « numcli = 000001 »."
            )
        out[name] = value.strip()
    return out


def options_text(options: dict) -> str:
    return "\n".join(f"{k} = {v}" for k, v in sorted(options.items()))


def stored_options(town: Town) -> dict[str, str]:
    return json.loads(town.payment_options or "{}")


def stored_secrets(town: Town) -> dict[str, str]:
    return json.loads(town.payment_secrets or "{}")


def secret_names(town: Town) -> list[str]:
    """The names of the stored secrets (never their values: the screen shows only these)."""
    return sorted(stored_secrets(town))


@dataclass
class Settings:
    """What the settings screen sends."""

    name: str
    address: str
    contact_email: str
    contact_phone: str
    zone: str
    reminder_hours: int
    payment_backend: str = ""
    payment_options: str = ""
    payment_secrets: str = ""  # lines typed now: merged into the stored ones


def check(values: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Raise SettingsError unless the values may be saved; the parsed (options, secrets)."""
    if not values.name.strip():
        raise SettingsError("name", "Indiquez le nom de la commune.")
    if values.zone not in dict(ZONES):
        raise SettingsError("zone", "Choisissez la zone de vacances scolaires : A, B ou C.")
    low, high = REMINDER_HOURS
    if not low <= values.reminder_hours <= high:
        raise SettingsError(
            "reminder_hours", f"Le rappel se fait de {low} à {high} heures avant le délai."
        )
    if values.payment_backend and values.payment_backend not in backends():
        raise SettingsError("payment_backend", "Ce prestataire de paiement n'est pas connu.")
    options = parse_lines("payment_options", values.payment_options)
    for name in options:
        if is_secret(name):
            raise SettingsError(
                "payment_options",
                f"« {name} » est un secret : écrivez-le dans le champ « Secrets », "
                "qui n'est jamais réaffiché.",
            )
    secrets = parse_lines("payment_secrets", values.payment_secrets)
    return options, secrets


def save(account: Account, town: Town, values: Settings) -> Town:
    """Save the settings and write the audit row (secrets masked). A secret typed with an
    empty value ('secret_test =') is removed; secrets not typed keep their stored value."""
    options, typed = check(values)
    with transaction():
        town = Town.get_by_id(town.id)
        before = audit.snapshot(town)
        old_secrets = stored_secrets(town)
        new_secrets = dict(old_secrets)
        for name, value in typed.items():
            if value:
                new_secrets[name] = value
            else:
                new_secrets.pop(name, None)
        town.name = values.name.strip()
        town.address = values.address.strip()
        town.contact_email = values.contact_email.strip()
        town.contact_phone = values.contact_phone.strip()
        town.zone = values.zone
        town.reminder_hours = values.reminder_hours
        town.payment_backend = values.payment_backend
        town.payment_options = json.dumps(options, sort_keys=True)
        town.payment_secrets = json.dumps(new_secrets, sort_keys=True)
        town.save()
        after = audit.snapshot(town)
        if new_secrets != old_secrets:
            before["payment_secrets"] = _masked(old_secrets)
            after["payment_secrets"] = _masked(new_secrets) + " (modifié)"
        audit.record(account, town.id, "edit", "Réglages", town, before, after)
    return town


def _masked(secrets: dict[str, str]) -> str:
    return ", ".join(f"{name} : {MASK}" for name in sorted(secrets)) or "aucun"


def payment_settings(town: Town) -> tuple[str, dict] | None:
    """The town's own provider (backend, options with secrets), or None: the portal's."""
    if not town.payment_backend:
        return None
    return town.payment_backend, {**stored_options(town), **stored_secrets(town)}


# -- the logo -------------------------------------------------------------------------------
def set_logo(account: Account, town: Town, upload: Upload) -> Town:
    """Store the town's logo (PNG or JPEG, at most 512 Ko), or FileRefused in French."""
    if not upload.data:
        raise FileRefused("Le fichier est vide.")
    kind, _ext = image_type(upload, MAX_LOGO_BYTES)
    with transaction():
        old = TownLogo.get_or_none(TownLogo.town == town.id)
        before = {"logo": f"{old.content_type}" if old else ""}
        if old is None:
            TownLogo.create(town=town.id, content_type=kind, data=upload.data)
        else:
            old.content_type, old.data, old.updated_at = kind, upload.data, utcnow()
            old.save()
        after = {"logo": f"nouveau ({kind}, {len(upload.data) // 1024 or 1} Ko)"}
        audit.record(account, town.id, "edit", "Réglages", town, before, after)
    return town


def has_logo(town_id: int) -> bool:
    return TownLogo.select().where(TownLogo.town == town_id).exists()


# -- the adhesion code ----------------------------------------------------------------------
def new_code(slug: str) -> str:
    """A fresh adhesion code: 'VILLEA-7K2Q9M' (the slug, then six letters or digits)."""
    head = re.sub(r"[^A-Z0-9]", "", slug.upper())[:12] or "COMMUNE"
    while True:
        code = f"{head}-{''.join(random.choice(CODE_LETTERS) for _ in range(6))}"
        if not Town.select().where(Town.adhesion_code == code).exists():
            return code


def regenerate_code(account: Account, town: Town) -> str:
    """Give the town a new adhesion code (the old one no longer lets a family join)."""
    with transaction():
        town = Town.get_by_id(town.id)
        before = {"adhesion_code": town.adhesion_code}
        town.adhesion_code = new_code(town.slug)
        town.save()
        audit.record(
            account,
            town.id,
            "edit",
            "Réglages",
            town,
            before,
            {"adhesion_code": town.adhesion_code},
        )
    return town.adhesion_code


# -- a new town (the portal's super-admin) ---------------------------------------------------
@dataclass
class NewTown:
    name: str
    slug: str
    zone: str
    admin_email: str = ""


def check_new_town(values: NewTown) -> None:
    if not values.name.strip():
        raise SettingsError("name", "Indiquez le nom de la commune.")
    if not SLUG.match(values.slug):
        raise SettingsError(
            "slug", "L'identifiant s'écrit en minuscules, chiffres et tirets : « ville-de-pau »."
        )
    if Town.select().where(Town.slug == values.slug).exists():
        raise SettingsError("slug", "Une commune porte déjà cet identifiant.")
    if values.zone not in dict(ZONES):
        raise SettingsError("zone", "Choisissez la zone de vacances scolaires : A, B ou C.")
    email = normalise_email(values.admin_email)
    if email and Account.select().where(Account.email == email).exists():
        raise SettingsError("admin_email", "Un compte existe déjà avec cette adresse e-mail.")


def create_town(
    account: Account,
    values: NewTown,
    base_url: str,
    secret: str,
    today: dt.date | None = None,
) -> tuple[Town, Account | None]:
    """A new town (its adhesion code, its current and next school years, computed) and,
    when an e-mail is given, its first admin, invited as any colleague is
    (staff_accounts.invite: an e-mail with a link to choose a password, then the second
    factor at the first sign-in)."""
    check_new_town(values)
    with transaction():
        town = Town.create(
            name=values.name.strip(),
            slug=values.slug,
            zone=values.zone,
            adhesion_code=new_code(values.slug),
        )
        start, _end = computed(today)
        for year_start in (start, start.replace(year=start.year + 1)):
            SchoolYear.create(town=town, start=year_start, end=dt.date(year_start.year + 1, 7, 4))
        audit.record(account, town.id, "create", "Commune", town, None, audit.snapshot(town))
        admin = None
        email = normalise_email(values.admin_email)
        if email:
            try:
                admin = staff_accounts.invite(account, town.id, email, ["admin"], base_url, secret)
            except AccountError as exc:
                raise SettingsError("admin_email", str(exc)) from None
    return town, admin
