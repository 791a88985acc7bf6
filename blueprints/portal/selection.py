"""From what a parent picked on screen to basket lines: parsing the selection, the same days
for brothers and sisters, and the weekly template. Every line comes from the planning's own
cells, so a day that cannot be changed is never put in the basket."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from models import Child
from web import inputs
from workflows.planning import MAX_DAYS, Cell, planning
from workflows.units import unit_infos

from .cells import date_fr, selectable_action

MAX_LINES = 2000
WEEKDAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


class BadInput(ValueError):
    """Input a parent can fix; the message is French."""


# -- periods -------------------------------------------------------------------------------
def parse_date(value: str | None, name: str = "date") -> dt.date:
    day = inputs.day(value or "")
    if day is None:
        raise BadInput(f"La {name} « {value or ''} » n'est pas valide (attendu AAAA-MM-JJ).")
    return day


def month_period(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def week_period(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def shift_month(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# -- selection -----------------------------------------------------------------------------
@dataclass
class Selection:
    lines: list[tuple[int, int, dt.date, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # French words for left-out days


def parse_lines(raw) -> list[tuple[int, dt.date, str]]:
    """[{unit, date, action}] from the page -> [(unit id, date, action)]; BadInput if malformed."""
    if not isinstance(raw, list) or not raw:
        raise BadInput("Sélectionnez au moins un jour.")
    if len(raw) > MAX_LINES:
        raise BadInput(f"Au plus {MAX_LINES} jours à la fois.")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadInput("Sélection illisible.")
        unit, action = item.get("unit"), item.get("action")
        if isinstance(unit, str) and unit.isdigit():
            unit = int(unit)
        if not isinstance(unit, int) or isinstance(unit, bool):
            raise BadInput("Prestation inconnue.")
        if action not in ("book", "cancel"):
            raise BadInput("Action inconnue : réserver ou annuler.")
        out.append(
            (
                unit,
                parse_date(item.get("date") if isinstance(item.get("date"), str) else None),
                action,
            )
        )
    return out


def _cells_by_key(child_id: int, days, household_id=None) -> dict[tuple[str, dt.date], Cell]:
    days = list(days)
    if not days:
        return {}
    start, end = min(days), max(days)
    if (end - start).days > MAX_DAYS:
        raise BadInput("La période choisie est trop longue (un an au plus).")
    return {
        (c.unit.code, c.date): c for c in planning(child_id, start, end, household_id=household_id)
    }


def for_siblings(
    lines: list[tuple[int, dt.date, str]], siblings: list[Child], household_id=None
) -> Selection:
    """The same days for other children of the household, matched by unit code (a sister at
    another school books her own school's meal). Only cells that may change the same way
    (as `household_id` sees them: a shared child's days are its own ones)."""
    sel = Selection()
    if not lines or not siblings:
        return sel
    codes = {u.id: u.code for u in unit_infos({u for u, _, _ in lines}).values()}
    for sibling in siblings:
        cells = _cells_by_key(sibling.id, (d for _, d, _ in lines), household_id)
        left_out = 0
        for unit_id, day, action in lines:
            cell = cells.get((codes.get(unit_id), day))
            if cell is not None and selectable_action(cell) == action:
                sel.lines.append((sibling.id, cell.unit.id, day, action))
            else:
                left_out += 1
        if left_out:
            sel.skipped.append(
                f"{sibling.first_name} : {left_out} jour(s) non ajouté(s) "
                "(fermé, non inscrit, déjà demandé, délai dépassé ou chez l'autre parent)."
            )
    return sel


def weekly_template(
    child_id: int,
    start: dt.date,
    end: dt.date,
    ticks: dict[int, set[int]],
    action: str = "book",
    household_id: int | None = None,
) -> list[tuple[int, dt.date, str]]:
    """Every open day of [start, end] on the ticked weekdays of each unit (unit id -> ISO
    weekdays), as lines; only cells that may change that way now (for `household_id`: a
    shared child's other home's days are left out)."""
    if end < start:
        raise BadInput("La date de fin précède la date de début.")
    if (end - start).days > MAX_DAYS:
        raise BadInput("La période choisie est trop longue (un an au plus).")
    out = []
    for cell in planning(child_id, start, end, household_id=household_id):
        if (
            cell.date.isoweekday() in ticks.get(cell.unit.id, ())
            and selectable_action(cell) == action
        ):
            out.append((cell.unit.id, cell.date, action))
    return out


def line_words(unit_label: str, day: dt.date) -> str:
    return f"{date_fr(day, 'EEEE d MMMM')} – {unit_label}"
