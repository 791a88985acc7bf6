"""Openings: limited places collected during a window, then given by the town's rules and a
draw (workflows/draw.py; the allocation and the publication in opening_allocation.py).

Staff define an opening (units of one service, a period, a window, rules in the town's
order); `open_collecting` commits the draw's seed (its SHA-256 is public from then on,
the seed itself only once the allocation is published); parents `ask` for days per child,
as often as they like while the window is open (one request per child: the last word
wins); after the close `ask` is refused, in French."""

from __future__ import annotations

import datetime as dt
import secrets

from models import Child, Enrolment, Unit, among, transaction, utcnow
from models.openings import RULES, Opening, OpeningRequest, OpeningUnit

from . import draw
from .calendar import PARIS, format_date_fr, is_public_holiday, to_utc_naive
from .definitions import OPENING
from .engine import SYSTEM, Actor, WorkflowError, fire

RULE_WORDS = {
    "enrolled": "enfant déjà inscrit au service",
    "resident": "famille habitant la commune",
    "siblings": "frères et sœurs ensemble",
    "situation": "situation déclarée (deux parents qui travaillent, parent seul)",
    draw.DRAW: "tirage au sort",
    draw.PLACES: "places suffisantes pour toutes les demandes",
    draw.FULL: "plus de place ce jour-là : liste d'attente dans l'ordre du tirage",
    draw.SIBLINGS: "frères et sœurs ensemble : tous leurs jours ou aucun",
}


class OpeningRefused(WorkflowError):
    """A request the opening does not take; the message is French, for parents."""

    code = "opening_refused"


def define_opening(
    town_id: int,
    service_id: int,
    unit_ids: list[int],
    label: str,
    start: dt.date,
    end: dt.date,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    rules: list[str] | None = None,
    announce_at: dt.datetime | None = None,
) -> Opening:
    """A draft opening (times aware, or naive Paris time). `rules`: among RULES, in order."""
    rules = [r for r in (rules if rules is not None else RULES) if r in RULES]
    with transaction():
        o = Opening.create(
            town=town_id,
            service=service_id,
            label=label,
            start=start,
            end=end,
            opens_at=_utc(opens_at),
            closes_at=_utc(closes_at),
            announce_at=_utc(announce_at) if announce_at else None,
            rules=",".join(rules),
        )
        OpeningUnit.insert_many([{"opening": o.id, "unit": u} for u in unit_ids]).execute()
    return o


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return to_utc_naive(moment)


def open_collecting(opening: Opening, actor: Actor = SYSTEM) -> Opening:
    """draft -> collecting, committing the draw's seed: drawn now, its hash public."""
    seed = secrets.token_hex(32)
    fire(
        OPENING,
        opening,
        "open",
        actor,
        owner=(None, opening.town_id),
        values={"seed": seed, "seed_hash": draw.seed_hash(seed)},
    )
    return opening


def units_of(opening: Opening) -> list[Unit]:
    return list(
        Unit.select()
        .join(OpeningUnit, on=OpeningUnit.unit == Unit.id)
        .where(OpeningUnit.opening == opening.id)
        .order_by(Unit.position, Unit.id)
    )


def open_days(opening: Opening, unit: Unit) -> list[dt.date]:
    """The period's days the unit runs on (its weekdays, public holidays aside)."""
    days, d = [], opening.start
    while d <= opening.end:
        if str(d.isoweekday()) in unit.weekdays and not is_public_holiday(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def window_words(opening: Opening) -> str:
    """'Demandes ouvertes jusqu'au vendredi 18 h ; les places seront attribuées le vendredi
    à 18 h 30 ; l'ordre d'arrivée ne compte pas'."""
    closes = _paris(opening.closes_at)
    announce = _paris(opening.announce_at or opening.closes_at)
    return (
        f"Demandes ouvertes jusqu'au {format_date_fr(closes.date(), 'EEEE')} {_hour(closes)} ; "
        f"les places seront attribuées le {format_date_fr(announce.date(), 'EEEE')} à "
        f"{_hour(announce)} ; l'ordre d'arrivée ne compte pas"
    )


def _paris(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC).astimezone(PARIS)


def _hour(moment: dt.datetime) -> str:
    return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")


def closed_words(opening: Opening) -> str:
    """'Les demandes sont closes depuis le vendredi 27 novembre à 18 h.'"""
    closes = _paris(opening.closes_at)
    return (
        f"Les demandes sont closes depuis le {format_date_fr(closes.date(), 'EEEE d MMMM')} "
        f"à {_hour(closes)}."
    )


def is_open(opening: Opening, now: dt.datetime | None = None) -> bool:
    at = to_utc_naive(now or dt.datetime.now(PARIS))
    return opening.state == "collecting" and opening.opens_at <= at < opening.closes_at


def ask(
    actor: Actor,
    opening: Opening,
    child_id: int,
    days: list[dt.date],
    *,
    unit_id: int | None = None,
    together: bool = False,
    resident: bool = False,
    situation: bool = False,
    now: dt.datetime | None = None,
) -> OpeningRequest:
    """A parent's request for one child (a new one, or the one there, replaced: the last
    word wins). `together` and the declarations are the household's: they apply to all its
    children's requests. No days: the request is withdrawn."""
    child = Child.get_or_none(Child.id == child_id)
    if child is None or child.household_id not in actor.household_ids:
        raise OpeningRefused("Cet enfant n'est pas rattaché à votre compte.", code="forbidden")
    if not is_open(opening, now):
        raise OpeningRefused(
            closed_words(opening)[:-1] + " : votre demande n'a pas été enregistrée.",
            code="opening_closed",
        )
    units = {u.id: u for u in units_of(opening)}
    unit = units.get(unit_id) if unit_id else next(iter(units.values()), None)
    if unit is None:
        raise OpeningRefused("Ce lieu n'est pas proposé dans cette ouverture.", code="unknown_unit")
    allowed = set(open_days(opening, unit))
    wrong = sorted(set(days) - allowed)
    if wrong:
        raise OpeningRefused(
            f"Le {format_date_fr(wrong[0])} n'est pas un jour de cette ouverture.", code="closed"
        )
    text = ",".join(d.isoformat() for d in sorted(set(days)))
    values = {"unit": unit.id, "days": text, "updated_at": utcnow()}
    household = {"together": together, "resident": resident, "situation": situation}
    with transaction():
        # The household's flags on all its requests; the child's own request replaced in one
        # statement (the unique (opening, child) index says it is the same request).
        OpeningRequest.update(**household).where(
            OpeningRequest.opening == opening.id,
            OpeningRequest.household == child.household_id,
        ).execute()
        if not days:
            OpeningRequest.delete().where(
                OpeningRequest.opening == opening.id, OpeningRequest.child == child_id
            ).execute()
            return None
        OpeningRequest.insert(
            opening=opening.id, household=child.household_id, child=child_id, **values, **household
        ).on_conflict(
            conflict_target=[OpeningRequest.opening, OpeningRequest.child],
            update=values,
        ).execute()
    return OpeningRequest.get(
        OpeningRequest.opening == opening.id, OpeningRequest.child == child_id
    )


def asked_days(req: OpeningRequest) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in req.days.split(",") if d]


def enrolled_children(opening: Opening, child_ids) -> set[int]:
    """The children enrolled in the opening's service over its period (the "enrolled" rule)."""
    query = Enrolment.select(Enrolment.child).where(
        among(Enrolment.child, set(child_ids)),
        Enrolment.service == opening.service_id,
        Enrolment.state == "active",
        Enrolment.start <= opening.end,
        Enrolment.end >= opening.start,
    )
    return {c for (c,) in query.tuples()}
