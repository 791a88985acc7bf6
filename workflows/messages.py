"""Reasons and errors, each with the French words parents read and the English of logs and API."""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "late": (
        "Délai dépassé : il fallait {verb} avant le {deadline}.",
        "Deadline passed: could be changed until {deadline_iso}.",
    ),
    "closed": (
        "Ce jour n'est pas ouvert pour cette prestation.",
        "This day is not open for this unit.",
    ),
    "not_enrolled": (
        "L'enfant n'est pas inscrit à ce service à cette date.",
        "The child is not enrolled in this service on this date.",
    ),
    "full": (
        "Plus de place disponible ce jour-là.",
        "No place left on that day.",
    ),
    "already_booked": (
        "Ce jour est déjà réservé ou une demande est déjà en cours.",
        "This day is already booked or a request is already pending for it.",
    ),
    "not_booked": (
        "Il n'y a pas de réservation à annuler ce jour-là.",
        "There is no booking to cancel on that day.",
    ),
    "exclusive": (
        "{child} a déjà un {other} ce jour-là.",
        "The child already has another unit of the same group on that day.",
    ),
    "other_home": (
        "Ce jour-là, l'enfant est chez l'autre parent : c'est à lui de réserver ou d'annuler.",
        "On that day the child is with the other household (shared custody).",
    ),
    "other_household_booking": (
        "Cette réservation a été faite par l'autre parent : lui seul peut l'annuler.",
        "This booking was made by the other household; only it may cancel it.",
    ),
    "unknown_unit": (
        "Cette prestation n'existe pas pour cet enfant.",
        "Unknown unit for this child.",
    ),
    "staff": ("{comment}", "{comment}"),
    "reason_required": (
        "Indiquez le motif du refus : les familles le liront.",
        "A reason is required to refuse.",
    ),
    "forbidden": (
        "Cette action n'est pas permise à votre compte.",
        "This action is not allowed for this account.",
    ),
    "bad_decision": ("Action inconnue.", "Unknown decision."),
    "own_content": (
        "Vous ne pouvez pas publier un contenu que vous avez écrit ou soumis : un autre "
        "relecteur doit le relire.",
        "An item is published by a reviewer other than its author or submitter.",
    ),
    "not_expired": ("Ce contenu n'a pas encore expiré.", "This item has not expired yet."),
    "invalid_transition": (
        "Cette action n'est plus possible dans l'état actuel.",
        "Not possible from the current state.",
    ),
}


def reason_fr(code: str, **params) -> str:
    template = REASONS.get(code, ("{comment}", ""))[0]
    return template.format(**_defaults(params))


def reason_en(code: str, **params) -> str:
    template = REASONS.get(code, ("", "{comment}"))[1]
    return template.format(**_defaults(params))


def _defaults(params: dict) -> dict:
    return {
        "deadline": "",
        "deadline_iso": "",
        "comment": "",
        "verb": "faire la demande",
        "child": "L'enfant",
        "other": "autre choix",
        **params,
    }
