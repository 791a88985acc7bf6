"""A child's homes: the child's own household (Child.household) and, for a child shared by
two homes (garde alternée), a second household with the custody pattern staff set
(models.CustodyPattern, read through the pure functions of workflows.custody).

The one place that says which households reach a child, which household a booking belongs
to (the household of the request that made it, whatever the pattern says since), and the
operation that sets a pattern and tells both households by e-mail."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass

from models import (
    Booking,
    Child,
    CustodyPattern,
    Enrolment,
    Household,
    Request,
    RequestLine,
    Unit,
    transaction,
)

from . import audit, french, outbox
from .custody import KINDS, Custody, changed_days, household_on, pattern_on
from .engine import Actor, Forbidden, WorkflowError

MAX_DAYS = 400  # the days a change of pattern is read over (a school year and a bit)
OTHER_HOME_FR = "Chez l'autre parent"
KIND_WORDS = {
    "weeks": "une semaine sur deux (du lundi au dimanche)",
    "handover": "une semaine sur deux, avec un changement de foyer le {weekday}",
    "periods": "par périodes",
    "both": "les deux foyers peuvent réserver tous les jours",
}
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class BadPattern(WorkflowError):
    code = "bad_custody"


# -- reading ------------------------------------------------------------------------------
def pattern_of(row: CustodyPattern, first: int) -> Custody:
    """A stored pattern as workflows.custody reads it (`first`: the child's own household)."""
    periods = tuple(
        (dt.date.fromisoformat(a), dt.date.fromisoformat(b), int(h))
        for a, b, h in (json.loads(row.periods) if row.periods else [])
    )
    return Custody(
        kind=row.kind,
        first=first,
        second=row.second_household_id,
        start=row.start,
        handover=row.handover,
        periods=periods,
        effective_from=row.effective_from,
    )


def patterns_of(child_ids) -> dict[int, list[Custody]]:
    """child id -> the child's successive patterns (only the shared children appear)."""
    child_ids = list(set(child_ids))
    out: dict[int, list[Custody]] = defaultdict(list)
    for i in range(0, len(child_ids), 5000):
        rows = (
            CustodyPattern.select(CustodyPattern, Child.household.alias("first_home"))
            .join(Child)
            .where(CustodyPattern.child.in_(child_ids[i : i + 5000]))
            .order_by(CustodyPattern.id)
            .objects()
        )
        for row in rows:
            out[row.child_id].append(pattern_of(row, row.first_home))
    return dict(out)


def second_homes(household_id: int):
    """The ids of the children the household shares as their second home (a subquery)."""
    return CustodyPattern.select(CustodyPattern.child).where(
        CustodyPattern.second_household == household_id
    )


def children_of(household_id: int):
    """The household's children: its own and those it shares as a second home."""
    return Child.select().where(
        (Child.household == household_id) | Child.id.in_(second_homes(household_id))
    )


def homes(child_id: int) -> set[int]:
    """The households that reach the child (one, or two for a shared child)."""
    own = Child.select(Child.household).where(Child.id == child_id).scalar()
    if own is None:
        return set()
    return {own} | {
        h
        for (h,) in CustodyPattern.select(CustodyPattern.second_household)
        .where(CustodyPattern.child == child_id)
        .tuples()
    }


def homes_of(child_ids) -> dict[int, list[int]]:
    """child id -> [own household, second household (shared children)]."""
    out = {
        c: [h]
        for c, h in Child.select(Child.id, Child.household)
        .where(Child.id.in_(list(child_ids)))
        .tuples()
    }
    for c, h in (
        CustodyPattern.select(CustodyPattern.child, CustodyPattern.second_household)
        .where(CustodyPattern.child.in_(list(out)))
        .order_by(CustodyPattern.id)
        .tuples()
    ):
        if h not in out[c]:
            out[c].append(h)
    return out


def day_household(patterns: list[Custody], day: dt.date) -> int | None:
    """The household that has the child on `day` (None: both, or no pattern)."""
    pattern = pattern_on(patterns, day)
    return None if pattern is None else household_on(pattern, day)


def booking_households(child_ids, first: dt.date, last: dt.date) -> dict[tuple, int]:
    """(child id, unit id, date) -> the household of the request that made each booking of
    the children between first and last: whom a booking belongs to (invoicing, the cells,
    who may cancel it), whatever the pattern in force says since."""
    child_ids = list(set(child_ids))
    if not child_ids:
        return {}
    rows = (
        Booking.select(Booking.child, Booking.unit, Booking.date, Request.household)
        .join(RequestLine, on=(Booking.line == RequestLine.id))
        .join(Request, on=(RequestLine.request == Request.id))
        .where(Booking.child.in_(child_ids), Booking.date.between(first, last))
        .tuples()
    )
    return {(c, u, d): h for c, u, d, h in rows}


# -- setting a pattern --------------------------------------------------------------------
@dataclass
class PatternChange:
    pattern: CustodyPattern
    changed: list[tuple[dt.date, int | None, int | None]]  # (day, before, after)
    kept: list[tuple[dt.date, str, int]]  # accepted bookings on those days: (day, unit, household)
    mails: int


def _parse_periods(periods, first: int, second: int) -> tuple:
    out = []
    for a, b, who in periods:
        household = (
            first if who in ("first", first) else second if who in ("second", second) else None
        )
        if household is None:
            raise BadPattern("a period names one of the two households")
        out.append((a, b, household))
    return tuple(out)


def describe(pattern: Custody | None, household_id: int) -> str:
    """The pattern in a parent's words, as seen from `household_id` (never naming the other
    household)."""
    if pattern is None:
        return "l'enfant est rattaché à un seul foyer"
    words = KIND_WORDS[pattern.kind].format(weekday=WEEKDAYS_FR[pattern.handover - 1])
    if pattern.kind in ("weeks", "handover"):
        # the first day of the household's next stretch, from the day the pattern starts
        day = max(pattern.effective_from or dt.date.min, pattern.start)
        for _ in range(15):
            if household_on(pattern, day) == household_id and (
                household_on(pattern, day - dt.timedelta(days=1)) != household_id
                or day == pattern.effective_from
            ):
                break
            day += dt.timedelta(days=1)
        words += (
            f" ; chez vous à partir du {french.day(day, weekday=True, year=True)}, "
            "puis une semaine sur deux"
        )
    elif pattern.kind == "periods":
        spans = [french.period(a, b) for a, b, h in pattern.periods if h == household_id]
        if household_id == pattern.first:
            words += " ; chez vous, sauf " + (
                ", ".join(french.period(a, b) for a, b, h in pattern.periods if h != household_id)
                or "—"
            )
        else:
            words += " ; chez vous " + (", ".join(spans) or "aucun jour")
    return words


def _horizon(child_id: int, start: dt.date) -> dt.date:
    last = (
        Enrolment.select(Enrolment.end)
        .where(Enrolment.child == child_id, Enrolment.state == "active")
        .order_by(Enrolment.end.desc())
        .scalar()
    )
    end = last if last and last >= start else start + dt.timedelta(days=365)
    return min(end, start + dt.timedelta(days=MAX_DAYS))


def set_pattern(
    actor: Actor,
    child_id: int,
    second_household_id: int,
    kind: str,
    effective_from: dt.date,
    *,
    start: dt.date | None = None,
    handover: int = 1,
    periods=(),
    reason: str = "",
) -> PatternChange:
    """Staff set (or change) the child's custody pattern from `effective_from`. The days
    that change hands are worked out against the pattern in force before; accepted bookings
    on them stay with the household that made them until it cancels them (they belong to
    its request); both households are told by e-mail, and the change is in the town's
    audit (with staff's `reason`), in the same transaction."""
    child = Child.select(Child, Household).join(Household).where(Child.id == child_id).first()
    if child is None:
        raise Forbidden("no such child", code="forbidden")
    town_id = child.household.town_id
    if "approver" not in actor.roles_on(None, town_id):
        raise Forbidden("not staff of this town", code="forbidden")
    first = child.household_id
    second = Household.get_or_none(Household.id == second_household_id, Household.town == town_id)
    if second is None or second.id == first:
        raise BadPattern("the second home is another household of the same town")
    if kind not in KINDS:
        raise BadPattern(f"unknown custody kind {kind!r}")
    earlier = patterns_of([child_id]).get(child_id, [])
    if earlier and earlier[-1].second != second.id:
        raise BadPattern("a shared child has one second home")
    try:
        new = Custody(
            kind=kind,
            first=first,
            second=second.id,
            start=start if kind in ("weeks", "handover") else None,
            handover=handover if kind == "handover" else 1,
            periods=_parse_periods(periods, first, second.id) if kind == "periods" else (),
            effective_from=effective_from,
        )
    except ValueError as e:
        raise BadPattern(str(e)) from e
    # Until now: the pattern in force that day, or the child's own household alone.
    before = pattern_on(earlier, effective_from)
    old = before or Custody("periods", first, second.id)
    end = _horizon(child_id, effective_from)
    later = [
        p.effective_from for p in earlier if p.effective_from and p.effective_from > effective_from
    ]
    if later:  # a pattern already set from a later day takes over then
        end = min(end, min(later) - dt.timedelta(days=1))
    changed = changed_days(old, new, effective_from, end)
    with transaction():
        row = CustodyPattern.create(
            child=child_id,
            second_household=second.id,
            kind=kind,
            start=new.start,
            handover=new.handover,
            periods=json.dumps([[a.isoformat(), b.isoformat(), h] for a, b, h in new.periods]),
            effective_from=effective_from,
            created_by=actor.account_id,
        )
        kept = _kept_bookings(child_id, changed)
        audit.record_for(
            actor,
            town_id,
            "create",
            "Garde alternée",
            child,
            None,
            audit.snapshot(row),
            reason=reason.strip()[:500],
        )
        mails = _tell_both(child, before, old, new, changed, kept)
    return PatternChange(row, changed, kept, mails)


def _kept_bookings(child_id: int, changed) -> list[tuple[dt.date, str, int]]:
    days = {d for d, _, _ in changed}
    if not days:
        return []
    owners = booking_households([child_id], min(days), max(days))
    rows = (
        Booking.select(Booking.unit, Booking.date, Unit.label)
        .join(Unit)
        .where(
            Booking.child == child_id,
            Booking.date.between(min(days), max(days)),
            Booking.state.in_(["booked", "cancel_requested"]),
        )
        .order_by(Booking.date, Unit.position)
        .tuples()
    )
    return [
        (d, label, owners[(child_id, u, d)])
        for u, d, label in rows
        if d in days and (child_id, u, d) in owners
    ]


def _spans(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) spans."""
    spans: list[list[dt.date]] = []
    for d in sorted(days):
        if spans and (d - spans[-1][1]).days == 1:
            spans[-1][1] = d
        else:
            spans.append([d, d])
    return [(a, b) for a, b in spans]


def _tell_both(child, before: Custody | None, old: Custody, new: Custody, changed, kept) -> int:
    to = outbox.addresses([new.first, new.second])
    mails = []
    for household_id in (new.first, new.second):
        gained = [d for d, before, after in changed if after == household_id and before is not None]
        lost = [d for d, before, after in changed if before == household_id and after is not None]
        mine = [(d, label) for d, label, h in kept if h == household_id]
        mails.append(
            outbox.Mail(
                tuple(to.get(household_id, ())),
                f"Garde alternée de {child.first_name} : nouveau calendrier à partir du "
                f"{french.day(new.effective_from, year=True)}",
                "custody_changed",
                {
                    "child": child.first_name,
                    "effective": french.day(new.effective_from, weekday=True, year=True),
                    "before": describe(before, household_id),
                    "after": describe(new, household_id),
                    "gained": [french.period(a, b) for a, b in _spans(gained)][:20],
                    "lost": [french.period(a, b) for a, b in _spans(lost)][:20],
                    "kept": [
                        f"{french.day(d, weekday=True, year=True)}, {label}" for d, label in mine
                    ],
                    "town_name": child.household.town.name,
                },
            )
        )
    return outbox.write_many(mails)


def staff_summary(children, household_id: int) -> dict[int, str]:
    """child id -> the custody pattern in force today, in staff's words, as seen from the
    file of `household_id` (staff may read both households' names)."""
    shared = patterns_of([c.id for c in children])
    if not shared:
        return {}
    names = dict(
        Household.select(Household.id, Household.name)
        .where(
            Household.id.in_({h for ps in shared.values() for p in ps for h in (p.first, p.second)})
        )
        .tuples()
    )
    today = dt.date.today()
    out = {}
    for child_id, patterns in shared.items():
        pattern = pattern_on(patterns, today) or patterns[0]
        other = pattern.second if household_id == pattern.first else pattern.first
        since = (
            f", en vigueur le {french.day(pattern.effective_from, year=True)}"
            if pattern.effective_from and pattern.effective_from > dt.date(2000, 1, 1)
            else ""
        )
        out[child_id] = (
            f"Garde alternée avec le foyer {names.get(other, '')} (n° {other}) : "
            f"{describe(pattern, household_id)}{since}"
        )
    return out
