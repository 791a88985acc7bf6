"""Households: joining a town, the invitations of its guardians, what a parent may edit in
"Ma famille" (every change logged for staff), and the households staff import from the
town's file."""

from __future__ import annotations

import unicodedata

from peewee import fn

from models import Account, Guardian, Household, Town, transaction, utcnow
from models.accounts import AccountProfile, HouseholdChange, PickupPerson

from .accounts import UNUSABLE, AccountError, households_of, normalise_email, valid_email


# -- joining a town -----------------------------------------------------------------------------
def join_town(account: Account, code: str) -> Household:
    """Join the town whose adhesion code is `code`. When the town already knows a household
    whose guardian has this account's e-mail (confirmed: by the sign-up link or the
    invitation), the account is linked to that household; otherwise a new household is
    created from the sign-up profile."""
    code = (code or "").strip().upper()
    town = Town.get_or_none(Town.adhesion_code == code) if code else None
    if town is None:
        raise AccountError(
            "Ce code d'adhésion n'est pas reconnu. Vérifiez-le auprès de votre mairie."
        )
    if account.is_staff:
        raise AccountError("Un compte d'agent ne peut pas adhérer à une collectivité.")
    for h in households_of(account):
        if h.town_id == town.id:
            raise AccountError(f"Vous êtes déjà rattaché à {town.name}.")
    profile = AccountProfile.get_or_none(AccountProfile.account == account)
    with transaction():
        guardian = (
            Guardian.select()
            .join(Household)
            .where(
                Household.town == town,
                Guardian.account.is_null(),
                fn.LOWER(Guardian.email) == account.email,
            )
            .order_by(Guardian.is_reference.desc(), Guardian.id)
            .first()
        )
        if guardian is not None:
            Guardian.update(account=account).where(Guardian.id == guardian.id).execute()
            return Household.get_by_id(guardian.household_id)
        p = profile or AccountProfile(first_name="", last_name="")
        household = Household.create(
            town=town, name=p.household_name or p.last_name or account.email.split("@")[0]
        )
        Guardian.create(
            household=household,
            account=account,
            civility=p.civility,
            first_name=p.first_name or "-",
            last_name=p.last_name or "-",
            email=account.email,
            phone=p.phone,
            is_reference=True,
        )
    return household


def invite_guardian(guardian: Guardian) -> tuple[Account, bool]:
    """Give the guardian a login for the invitation. Returns (account, needs_link): a new or
    never-activated account needs the 7-day link to choose its password; an account that
    already logs in (a parent known in another town) is simply linked."""
    email = normalise_email(guardian.email)
    if not valid_email(email):
        raise AccountError(f"{guardian} n'a pas d'adresse e-mail valide.")
    with transaction():
        account = Account.get_or_none(Account.email == email)
        if account is not None and account.is_staff:
            raise AccountError(f"L'adresse {email} est celle d'un agent.")
        if account is None:
            account = Account.create(email=email, password_hash=UNUSABLE, is_active=False)
        if guardian.account_id != account.id:
            Guardian.update(account=account).where(Guardian.id == guardian.id).execute()
            guardian.account = account
    return account, not account.is_active or account.password_hash == UNUSABLE


# -- "Ma famille": what a parent may edit, every change logged for staff -------------------
HOUSEHOLD_EDITABLE = {"address": "Adresse", "caf_number": "N° allocataire CAF"}
GUARDIAN_EDITABLE = {"email": "E-mail de contact", "phone": "Téléphone"}


def _log_changes(
    household_id: int, account_id: int | None, subject: str, labels: dict, old: dict, new: dict
) -> int:
    rows = [
        {
            "household": household_id,
            "account": account_id,
            "at": utcnow(),
            "subject": subject,
            "field": labels[k],
            "old_value": str(old[k] or ""),
            "new_value": str(new[k] or ""),
        }
        for k in labels
        if k in new and str(old[k] or "") != str(new[k] or "")
    ]
    if rows:
        HouseholdChange.insert_many(rows).execute()
    return len(rows)


def update_household(household: Household, account: Account | None, values: dict) -> int:
    new = {k: str(values[k]).strip() for k in HOUSEHOLD_EDITABLE if k in values}
    old = {k: getattr(household, k) for k in HOUSEHOLD_EDITABLE}
    with transaction():
        n = _log_changes(
            household.id, account.id if account else None, "Foyer", HOUSEHOLD_EDITABLE, old, new
        )
        if n:
            Household.update(**new).where(Household.id == household.id).execute()
    return n


def update_guardian(guardian: Guardian, account: Account | None, values: dict) -> int:
    new = {k: str(values[k]).strip() for k in GUARDIAN_EDITABLE if k in values}
    if new.get("email") and not valid_email(new["email"]):
        raise AccountError("Cette adresse e-mail n'est pas valable.")
    old = {k: getattr(guardian, k) for k in GUARDIAN_EDITABLE}
    with transaction():
        n = _log_changes(
            guardian.household_id,
            account.id if account else None,
            f"Responsable {guardian.first_name} {guardian.last_name}",
            GUARDIAN_EDITABLE,
            old,
            new,
        )
        if n:
            Guardian.update(**new).where(Guardian.id == guardian.id).execute()
    return n


def add_pickup_person(
    household: Household,
    account: Account | None,
    first_name: str,
    last_name: str,
    phone: str = "",
    relation: str = "",
):
    with transaction():
        person = PickupPerson.create(
            household=household,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            phone=phone.strip(),
            relation=relation.strip(),
        )
        HouseholdChange.create(
            household=household,
            account=account,
            subject="Personne autorisée",
            field="Ajout",
            new_value=f"{person} {person.phone}".strip(),
        )
    return person


def remove_pickup_person(person, account: Account | None) -> None:
    with transaction():
        HouseholdChange.create(
            household=person.household_id,
            account=account,
            subject="Personne autorisée",
            field="Suppression",
            old_value=f"{person} {person.phone}".strip(),
        )
        person.delete_instance()


# -- staff: households invited from the town's file -----------------------------------------
CSV_COLUMNS = {
    "nomdufoyer": "household",
    "foyer": "household",
    "famille": "household",
    "civilite": "civility",
    "prenom": "first_name",
    "nom": "last_name",
    "email": "email",
    "courriel": "email",
    "mail": "email",
    "adresseemail": "email",
    "telephone": "phone",
    "tel": "phone",
    "adresse": "address",
    "caf": "caf_number",
    "numerocaf": "caf_number",
    "nallocatairecaf": "caf_number",
}


def csv_key(header: str) -> str:
    text = unicodedata.normalize("NFKD", header or "").encode("ascii", "ignore").decode()
    return CSV_COLUMNS.get("".join(ch for ch in text.lower() if ch.isalnum()), "")


def import_households(town_id: int, rows: list[dict]) -> tuple[list[int], list[str]]:
    """Rows of the town's household file (keys as CSV_COLUMNS values). A guardian already
    known in the town by this e-mail is reused; otherwise the household and its reference
    guardian are created. Returns the guardian ids to invite and the errors (French, with
    line numbers counting the header as line 1)."""
    to_invite: list[int] = []
    errors: list[str] = []
    for n, row in enumerate(rows, start=2):
        email = normalise_email(row.get("email"))
        if not valid_email(email):
            errors.append(f"Ligne {n} : adresse e-mail manquante ou non valable.")
            continue
        with transaction():
            guardian = (
                Guardian.select()
                .join(Household)
                .where(Household.town == town_id, fn.LOWER(Guardian.email) == email)
                .first()
            )
            if guardian is None:
                last = (row.get("last_name") or "").strip()
                name = (row.get("household") or last).strip()
                if not name or not last:
                    errors.append(f"Ligne {n} : nom du foyer ou du responsable manquant.")
                    continue
                household = Household.create(
                    town=town_id,
                    name=name[:100],
                    address=(row.get("address") or "").strip(),
                    caf_number=(row.get("caf_number") or "").strip()[:20],
                )
                guardian = Guardian.create(
                    household=household,
                    civility=(row.get("civility") or "").strip()[:10],
                    first_name=(row.get("first_name") or "").strip()[:100] or "-",
                    last_name=last[:100],
                    email=email,
                    phone=(row.get("phone") or "").strip()[:30],
                    is_reference=True,
                )
        if guardian.id not in to_invite:
            to_invite.append(guardian.id)
    return to_invite, errors
