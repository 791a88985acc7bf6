"""How a planning cell reads for a parent: its French words, icon, classes and whether it may
be selected. One function serves the HTML page and the JSON the page polls, so the two never
disagree. Nothing here changes a state."""

from __future__ import annotations

import datetime as dt

from workflows import french, messages, words
from workflows.calendar import format_date_fr
from workflows.homes import OTHER_HOME_FR
from workflows.planning import Cell
from workflows.units import action_for

# state -> (icon, words). The icon and the words make the state readable without colour.
STATES = {
    state: (icon, text)
    for group in ("cell", "booking")
    for state, (icon, text, _) in words.badges(group).items()
}
BASKET_WORDS = {"book": "au panier : à réserver", "cancel": "au panier : à annuler"}
ACTION_WORDS = {"book": "Réserver", "cancel": "Annuler"}

# Short names for the month view's chips (the full label stays in the tooltip).
SHORT = {
    "REPAS": "Repas",
    "PAI": "PAI",
    "GARDERIE MATIN": "Matin",
    "GARDERIE 16H30": "16h30",
    "GARDERIE 16H30-18H30": "Soir",
    "MERCREDI MATIN": "Matin",
    "MERCREDI REPAS": "Repas",
    "MERCREDI APRES-MIDI": "Après-midi",
    "JOURNEE ALSH": "Journée",
    "JOURNÉE ALSH": "Journée",
}


def short_label(code: str, label: str) -> str:
    return SHORT.get(code.upper(), label if len(label) <= 10 else label[:9] + "…")


date_fr = format_date_fr


CLOSED_WHY = {
    "not_enrolled": "non inscrit à cette date",
    "unknown_unit": "prestation inconnue",
    "no_service": "pas de service ce jour-là",
    "school_holidays": "vacances scolaires",
    "out_of_holidays": "hors vacances scolaires",
    "outside_school_year": "en dehors de l'année scolaire",
}


def closed_reason(cell: Cell) -> str:
    """Why a closed cell is closed, in a parent's words (the rules say why, by code)."""
    if cell.reason_code == "public_holiday":
        return f"jour férié ({cell.reason or 'férié'})"
    if cell.reason_code == "closure":
        return f"fermeture : {cell.reason}" if cell.reason else "fermeture exceptionnelle"
    return CLOSED_WHY.get(cell.reason_code, "fermé")


def selectable_action(cell: Cell) -> str | None:
    """What selecting the cell asks for, by what the workflow allows on it now (Cell.allowed):
    book a free (or refused) day, cancel a booked one."""
    if "request" in cell.allowed:
        return "book"
    if "ask_cancel" in cell.allowed:
        return "cancel"
    return None


def cell_view(cell: Cell, now: dt.datetime) -> dict:
    icon, words = STATES.get(cell.state, ("?", cell.state))
    if cell.state == "waiting" and cell.rank:
        words = f"liste d'attente (rang {cell.rank})"
    action = selectable_action(cell)
    deadline = cell.deadline_fr
    if cell.state == "closed":
        why_not = closed_reason(cell)
        detail = why_not
    elif cell.other_home:
        why_not = "l'enfant est chez l'autre parent ce jour-là"
        detail = why_not
    elif action:
        why_not = ""
        detail = f"modifiable jusqu'au {deadline}"
    elif cell.excluded_by:
        why_not = f"déjà « {cell.excluded_by} » ce jour-là"
        detail = why_not
    elif cell.state in ("requested", "waiting", "cancel_requested"):
        why_not = "une demande est en cours pour ce jour"
        detail = why_not
        if cell.withdrawable:
            detail = f"{why_not} ; vous pouvez la retirer jusqu'au {deadline}"
    elif cell.deadline and now >= cell.deadline:
        verb = french.VERBS.get(action_for(cell.state), "faire la demande")
        why_not = messages.reason_fr("late", deadline=deadline, verb=verb).rstrip(".")
        detail = f"plus modifiable (délai : {deadline})"
    else:
        why_not = "ce jour ne peut pas être modifié"
        detail = why_not
    # A day whose deadline has passed says so in words, not only by a colour.
    # (Staff with the right to pass deadlines may still select it: it says so too.)
    late = bool(
        cell.state in ("free", "refused", "booked") and cell.deadline and now >= cell.deadline
    )
    reason = cell.reason if cell.state == "refused" else ""
    day_words = date_fr(cell.date, "EEEE d MMMM")
    title = f"{cell.unit.label} – {day_words} : {words}"
    if reason:
        title += f" ({reason})"
    title += f". {detail[0].upper()}{detail[1:]}."
    if cell.basket:
        title += f" {BASKET_WORDS[cell.basket][0].upper()}{BASKET_WORDS[cell.basket][1:]}."
    return {
        "key": f"{cell.unit.id}|{cell.date.isoformat()}",
        "date": cell.date.isoformat(),
        "unit_id": cell.unit.id,
        "unit": cell.unit.code,
        "wd": cell.date.isoweekday(),
        "week": (cell.date - dt.timedelta(days=cell.date.weekday())).isoformat(),
        "state": cell.state,
        "icon": icon,
        "text": words,
        "reason": reason,
        "detail": detail,
        "why_not": why_not,
        "deadline_fr": deadline,
        "changeable": bool(action),
        "late": late,
        "late_text": "délai dépassé" if late else "",
        "withdrawable": cell.withdrawable,
        "action": action,
        "basket": cell.basket or None,
        "basket_text": BASKET_WORDS.get(cell.basket, ""),
        "other_home": cell.other_home,
        "home_text": OTHER_HOME_FR if cell.other_home else "",
        "title": title,
    }
