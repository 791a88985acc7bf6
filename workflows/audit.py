"""The audit of staff changes: one row per change, written in the caller's transaction
(models.db.transaction), never updated nor deleted (no screen offers it, and no function
here does it).

`snapshot(obj)` reads an object's fields as text; `record` compares two snapshots and
writes the row with only the fields that changed.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from models import Account, AuditEntry

ACTIONS = {
    "create": "Création",
    "edit": "Modification",
    "delete": "Suppression",
    "invite": "Invitation",
    "second_factor_reset": "Double authentification réinitialisée",
    "revoke": "Révocation",
}
LONGEST = 2000  # characters of a value kept (a page's body is cut)
# Never in an audit row: secrets (a town's payment secrets are masked by town_settings).
HIDDEN = {
    "password_hash",
    "totp_secret",
    "totp_last_step",
    "session_version",
    "nonce_hash",
    "token_hash",
    "payment_secrets",
}


KINDS = {
    "Household": "Foyer",
    "Guardian": "Responsable",
    "Child": "Enfant",
    "Enrolment": "Inscription",
    "Service": "Service",
    "Site": "Structure",
    "Unit": "Prestation",
    "Closure": "Fermeture",
    "Price": "Tarif",
    "AbsenceJustification": "Justificatif d'absence",
    "Account": "Compte",
    "EnrolmentOffer": "Offre d'inscription en ligne",
    "ChildAllergen": "Allergie",
    "Booking": "Réservation",
    "RequestLine": "Ligne de demande",
    "Request": "Demande",
    "Invoice": "Facture",
    "Payment": "Paiement",
    "ContentItem": "Contenu",
    "Dish": "Plat",
    "Job": "Travail en arrière-plan",
    "Folder": "Dossier",
    "WalkInPrice": "Tarif sans réservation",
    "StaffApiToken": "Jeton d'API agents",
    "Town": "Commune",
    "SchoolYear": "Année scolaire",
}


def kind_of(model) -> str:
    """The French name of a kind of object ("Prestation"), for the audit and the journal."""
    return KINDS.get(model.__name__, model.__name__)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def snapshot(obj) -> dict[str, str]:
    """The object's stored fields as text (foreign keys as their ids), secrets left out."""
    data = {}
    for name, field in obj._meta.fields.items():
        if name in HIDDEN or name == "id":
            continue
        text = _text(obj.__data__.get(field.name))
        data[name] = text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"
    return data


def record(
    account,
    town_id: int | None,
    action: str,
    kind: str,
    obj,
    before: dict[str, str] | None,
    after: dict[str, str] | None,
    reason: str = "",
    what: str | None = None,
) -> AuditEntry:
    """Write the audit row of a change of `obj` (`kind`: its French name, "Prestation");
    `what` names it when it is not a database object (a failed job)."""
    before, after = before or {}, after or {}
    changes = {
        k: [before.get(k, ""), after.get(k, "")]
        for k in sorted(set(before) | set(after))
        if before.get(k, "") != after.get(k, "")
    }
    return AuditEntry.create(
        town=town_id,
        account=account.id if account else None,
        who=account.email if account else "",
        action=action,
        kind=kind,
        object_id=obj._pk if obj is not None else None,
        what=(what or (f"{kind} {obj}" if obj is not None else kind))[:255],
        changes=json.dumps(changes, ensure_ascii=False),
        reason=reason,
    )


def record_for(actor, town_id: int | None, action: str, kind: str, obj, before, after, **kw):
    """`record` for a workflow operation, which knows its actor rather than its account."""
    account = Account.get_or_none(Account.id == actor.account_id) if actor.account_id else None
    return record(account, town_id, action, kind, obj, before, after, **kw)


def changes_text(entry: AuditEntry) -> str:
    """ "capacity : 24 → 99 ; label : …" for lists and the CSV export."""
    changes = json.loads(entry.changes or "{}")
    return " ; ".join(f"{k} : {old or '∅'} → {new or '∅'}" for k, (old, new) in changes.items())
