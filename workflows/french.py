"""The one French formatter of dates, periods, months and money, for pages, e-mails and
PDFs alike: "1er décembre", "lun. 4 janv. 2027", "du 28 décembre 2026 au 3 janvier 2027",
"consommations d'octobre 2026", "2,70 €", "il fallait réserver avant le jeudi 26 novembre
à 9h00"."""

from __future__ import annotations

import datetime as dt

from .calendar import format_date_fr, format_deadline_fr
from .pricing import format_euros

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

euros = format_euros  # '2,70 €', '1 234,50 €'
deadline = format_deadline_fr  # 'jeudi 26 novembre à 9h00'


def day(value: dt.date, weekday: bool = False, year: bool = False) -> str:
    """'1er décembre', 'jeudi 26 novembre', 'jeudi 26 novembre 2026'."""
    return format_date_fr(value, ("EEEE " if weekday else "") + "d MMMM" + (" y" if year else ""))


def short_day(value: dt.date) -> str:
    """'lun. 4 janv. 2027', 'mar. 1er juin 2027': a date in a list (the admin's columns)."""
    return format_date_fr(value, "EEE d MMM y")


DEADLINE_UNITS = {
    "working_days": ("jour ouvré", "jours ouvrés"),
    "calendar_days": ("jour", "jours"),
}


def deadline_rule(count: int, unit: str, cutoff: dt.time | None) -> str:
    """A unit's deadline as a rule: '3 jours ouvrés avant, avant 9h00', 'la veille…'."""
    one, many = DEADLINE_UNITS.get(unit, ("jour", "jours"))
    at = f", avant {cutoff.hour}h{cutoff.minute:02d}" if cutoff else ""
    if count == 0:
        return f"le jour même{at}"
    return f"{count} {one if count == 1 else many} avant{at}"


def month(value: dt.date, year: bool = True) -> str:
    """'octobre 2026' ('octobre' without the year)."""
    name = MONTHS[value.month - 1]
    return f"{name} {value.year}" if year else name


def of_month(value: dt.date, year: bool = True) -> str:
    """'d'octobre 2026', 'de novembre 2026': the month after a noun ("consommations …")."""
    name = month(value, year)
    return f"d'{name}" if name[0] in "aeiouyéè" else f"de {name}"


def period(start: dt.date, end: dt.date) -> str:
    """'le 3 décembre 2026', 'du 2 au 6 novembre 2026', 'du 28 novembre au 3 décembre 2026',
    'du 28 décembre 2026 au 3 janvier 2027'."""
    if start == end:
        return f"le {day(start, year=True)}"
    if start.year != end.year:
        return f"du {day(start, year=True)} au {day(end, year=True)}"
    if start.month != end.month:
        return f"du {day(start)} au {day(end, year=True)}"
    first = "1er" if start.day == 1 else str(start.day)
    return f"du {first} au {day(end, year=True)}"


VERBS = {"book": "réserver", "cancel": "annuler"}


def past_deadline(action: str, moment: dt.datetime) -> str:
    """'Délai dépassé : il fallait réserver avant le jeudi 26 novembre à 9h00.'"""
    verb = VERBS.get(action, "faire la demande")
    return f"Délai dépassé : il fallait {verb} avant le {deadline(moment)}."


def household_greeting(name: str | None) -> str:
    """'Bonjour, famille Martin' ('Bonjour' alone when the household has no real name yet)."""
    name = (name or "").strip()
    if name.lower().startswith("famille "):
        name = name[8:].strip()
    if not name or "@" in name or name.lower() in ("nouvelle famille", "famille"):
        return "Bonjour"
    return f"Bonjour, famille {name}"
