"""Personal data: everything a household holds, as JSON (its right of access and
portability), and the anonymisation of a household that has left the town. Invoices and
payments are kept as they are: they are accounting records the law requires to keep, and
they hold their own copy of the names (snapshots)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models import (
    Account,
    Booking,
    Child,
    Guardian,
    Household,
    Request,
    RequestLine,
    Unit,
    transaction,
    utcnow,
)
from models.accounts import (
    AccountProfile,
    AccountSession,
    ConnectionLog,
    HouseholdChange,
    OneTimeToken,
    PickupPerson,
    RecoveryCode,
)
from models.billing import Invoice
from models.catalogue import Enrolment
from models.content import ChildAllergen

from .accounts import PROFILE_FIELDS, UNUSABLE

# CNIL reference for school services: a meal option may be recorded, never a religion;
# an allergy plan (PAI) yes, the nature of a disability or illness no.
MEAL_OPTIONS = [
    ("", "Aucun"),
    ("sans porc", "Sans porc"),
    ("sans viande", "Sans viande"),
    ("végétarien", "Végétarien"),
]


class PrivacyError(Exception):
    """A refusal with a message staff can read (French)."""


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.isoformat(timespec="seconds") + "Z"
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _row(obj, fields: tuple[str, ...]) -> dict:
    return {f: _value(getattr(obj, f)) for f in fields}


def export_household(household: Household, account: Account) -> dict:
    """Everything the portal holds about the household, and about the account asking."""
    children = list(Child.select().where(Child.household == household.id))
    out: dict[str, Any] = {
        "exported_at": _value(utcnow()),
        "town": household.town.name,
        "household": _row(
            household,
            ("id", "name", "address", "caf_number", "qf", "qf_updated", "dependent_children"),
        ),
        "guardians": [
            _row(g, ("civility", "first_name", "last_name", "email", "phone", "is_reference"))
            for g in Guardian.select().where(Guardian.household == household.id)
        ],
        "pickup_persons": [
            _row(p, ("first_name", "last_name", "phone", "relation"))
            for p in PickupPerson.select().where(PickupPerson.household == household.id)
        ],
        "children": [],
        "requests": [],
        "changes": [
            _row(c, ("at", "subject", "field", "old_value", "new_value"))
            for c in HouseholdChange.select()
            .where(HouseholdChange.household == household.id)
            .order_by(HouseholdChange.at)
        ],
        "account": {
            "email": account.email,
            "created_at": _value(account.created_at),
            "profile": [
                _row(
                    p,
                    PROFILE_FIELDS,
                )
                for p in AccountProfile.select().where(AccountProfile.account == account)
            ],
            "connections": [
                _row(c, ("at", "ip", "device"))
                for c in ConnectionLog.select()
                .where(ConnectionLog.account == account)
                .order_by(ConnectionLog.at)
            ],
        },
        "invoices": [],
    }
    for c in children:
        item = _row(
            c,
            (
                "first_name",
                "last_name",
                "birth_date",
                "school",
                "class_name",
                "meal_option",
                "has_pai",
            ),
        )
        item["pai_allergens"] = [
            a.allergen for a in ChildAllergen.select().where(ChildAllergen.child == c.id)
        ]
        item["enrolments"] = [
            {
                **_row(e, ("start", "end", "usual_days", "state")),
                "service": e.service.name,
                "site": e.site.name,
            }
            for e in Enrolment.select().where(Enrolment.child == c.id)
        ]
        item["bookings"] = [
            {"date": _value(b.date), "unit": b.unit.label, "state": b.state}
            for b in Booking.select(Booking, Unit)
            .join(Unit)
            .where(Booking.child == c.id)
            .order_by(Booking.date)
        ]
        out["children"].append(item)
    for r in Request.select().where(Request.household == household.id).order_by(Request.id):
        lines = RequestLine.select(RequestLine, Unit).join(Unit).where(RequestLine.request == r.id)
        out["requests"].append(
            {
                "id": r.id,
                "state": r.state,
                "lines": [
                    {
                        "date": _value(line.date),
                        "unit": line.unit.label,
                        "action": line.action,
                        "state": line.state,
                    }
                    for line in lines
                ],
            }
        )
    out["invoices"] = [
        {
            "number": i.number,
            "month": _value(i.month),
            "state": i.state,
            "total_cents": i.total_cents,
        }
        for i in Invoice.select().where(Invoice.household == household.id, Invoice.state != "draft")
    ]
    return out


def has_left(household: Household, today: dt.date | None = None) -> bool:
    """No enrolment running or asked for, today or later."""
    today = today or dt.date.today()
    return (
        not Enrolment.select()
        .join(Child)
        .where(
            Child.household == household.id,
            Enrolment.state.in_(("requested", "waiting", "active")),
            Enrolment.end >= today,
        )
        .exists()
    )


def anonymise_household(
    household: Household, staff: Account | None, today: dt.date | None = None
) -> None:
    """Erase the names, contacts and health-related data of a household that has left.
    Its bookings and invoices stay (statistics and accounting) but point to no one. Its
    guardians' logins are closed, unless they serve another household."""
    if not has_left(household, today):
        raise PrivacyError(
            "Ce foyer a encore une inscription en cours ou à venir : "
            "terminez-la avant de l'anonymiser."
        )
    with transaction():
        label = f"Foyer anonymisé n° {household.id}"
        Household.update(name=label, address="", caf_number="", qf=None, qf_updated=None).where(
            Household.id == household.id
        ).execute()
        Child.update(
            first_name="Enfant",
            last_name="anonymisé",
            birth_date=None,
            school="",
            class_name="",
            meal_option="",
            has_pai=False,
        ).where(Child.household == household.id).execute()
        PickupPerson.delete().where(PickupPerson.household == household.id).execute()
        ChildAllergen.delete().where(  # health data: the PAI's allergens go too
            ChildAllergen.child.in_(Child.select(Child.id).where(Child.household == household.id))
        ).execute()
        account_ids = [
            g.account_id
            for g in Guardian.select().where(
                Guardian.household == household.id, Guardian.account.is_null(False)
            )
        ]
        Guardian.update(
            civility="",
            first_name="Responsable",
            last_name="anonymisé",
            email="",
            phone="",
            account=None,
        ).where(Guardian.household == household.id).execute()
        HouseholdChange.delete().where(HouseholdChange.household == household.id).execute()
        for account_id in account_ids:
            still_used = Guardian.select().where(Guardian.account == account_id).exists()
            if still_used:
                continue
            Account.update(
                email=f"anonyme-{account_id}@invalid",
                password_hash=UNUSABLE,
                is_active=False,
                session_version=Account.session_version + 1,
                totp_secret="",
                totp_confirmed_at=None,
            ).where(Account.id == account_id).execute()
            AccountSession.delete().where(AccountSession.account == account_id).execute()
            RecoveryCode.delete().where(RecoveryCode.account == account_id).execute()
            ConnectionLog.delete().where(ConnectionLog.account == account_id).execute()
            OneTimeToken.delete().where(OneTimeToken.account == account_id).execute()
            AccountProfile.delete().where(AccountProfile.account == account_id).execute()
        HouseholdChange.create(
            household=household.id,
            account=staff,
            subject="Foyer",
            field="Anonymisation",
            new_value=label,
        )
