"""Reminders before a booking deadline closes: for each child with an active enrolment, the
open days whose booking deadline closes within the town's window (Town.reminder_hours) and
that are neither booked nor asked for (only the usual days when the enrolment has some);
one e-mail per household and deadline, claimed once (ReminderSent's unique key) in the
transaction that writes it to the outbox, whatever the number of timers or workers.

The deadlines are worked out per unit and day (a few dozen cells a run, units.until); the
children are found by one set-based query per candidate day."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict

from peewee import fn

from models import (
    Booking,
    Child,
    CustodyPattern,
    Enrolment,
    Household,
    Town,
    Unit,
    among,
    transaction,
)
from models.reminders import PrivateAddress, ReminderSent

from . import custody, homes, outbox
from .calendar import PARIS, format_date_fr, format_deadline_fr, to_utc_naive
from .calendar import now as paris_now
from .rules import RuleContext
from .units import UnitInfo, load_closures, unit_infos, until

UNSUBSCRIBE = "unsubscribe"
BATCH = 1000
# What a day is held by: asked for, on the waiting list, booked (a reminder is not needed).
HELD = ("requested", "waiting", "booked", "cancel_requested")


def reminded_units() -> list[UnitInfo]:
    """The units days are reminded of: term-time units, one per exclusive group and site
    (the first by position stands for the group: a child eats REPAS or PAI)."""
    units = [u for u in unit_infos().values() if not u.holiday_unit]
    seen_groups: set[tuple[int, str]] = set()
    chosen: list[UnitInfo] = []
    for u in sorted(units, key=lambda u: (u.position, u.id)):
        if u.exclusive_group:
            if (u.site_id, u.exclusive_group) in seen_groups:
                continue
            seen_groups.add((u.site_id, u.exclusive_group))
        chosen.append(u)
    return chosen


def candidate_cells(now: dt.datetime) -> dict[tuple[int, dt.date], dt.datetime]:
    """(unit id, day) -> its booking deadline (aware), for the open days whose deadline is
    ahead of `now` and within the town's reminder window. One unit per exclusive group and
    site stands for the group (a child eats REPAS or PAI: reminded once, of the first);
    holiday units (booked for a stay, not day by day) are not reminded."""
    windows = dict(Town.select(Town.id, Town.reminder_hours).tuples())
    chosen = reminded_units()
    ctx = RuleContext({u.id: u for u in chosen}, {}, load_closures(windows), now)
    cells = {}
    today = now.astimezone(PARIS).date()
    for u in chosen:
        window = dt.timedelta(hours=windows.get(u.town_id, 48))
        horizon = window.days + 2 * u.book_deadline.count + 10
        for i in range(horizon + 1):
            day = today + dt.timedelta(days=i)
            at, passed = until(u, "book", day, now)
            if passed or at > now + window or ctx.closed_why(u, day) is not None:
                continue
            cells[(u.id, day)] = at
    return cells


def unbooked(cells: dict[tuple[int, dt.date], dt.datetime]):
    """(household id, child id, first name, unit id, day) of every enrolled child of a
    household that wants reminders with nothing booked nor asked for on a candidate cell
    (nor on another unit of its exclusive group): one query per candidate day, and one for
    the second homes of shared children. A shared child's household is reminded of its own
    days only (workflows.custody; both households under 'both')."""
    by_day = defaultdict(list)
    for unit_id, day in cells:
        by_day[day].append(unit_id)
    shared = homes.patterns_of(
        [c for (c,) in CustodyPattern.select(CustodyPattern.child).distinct().tuples()]
    )
    for day, unit_ids in sorted(by_day.items()):
        rows = list(_unbooked_on(day, unit_ids).tuples())
        if shared:
            rows += list(_unbooked_on(day, unit_ids, second_home=True).tuples())
        for row in rows:
            household_id, child_id = row[0], row[1]
            if child_id in shared and not custody.may_book(shared[child_id], household_id, day):
                continue
            yield (*row, day)


def _unbooked_on(day: dt.date, unit_ids: list[int], second_home: bool = False):
    Other = Unit.alias("other")
    held = (
        Booking.select(Booking.id)
        .join(Other, on=(Booking.unit == Other.id))
        .where(
            Booking.child == Child.id,
            Booking.date == day,
            Booking.state.in_(HELD),
            (Other.id == Unit.id)
            | (
                (Unit.exclusive_group != "")
                & (Other.exclusive_group == Unit.exclusive_group)
                & (Other.site == Unit.site)
            ),
        )
    )
    weekday = str(day.isoweekday())
    q = Enrolment.select(
        CustodyPattern.second_household if second_home else Child.household,
        Child.id,
        Child.first_name,
        Unit.id,
    ).join(Child, on=(Enrolment.child == Child.id))
    if second_home:
        q = q.join(CustodyPattern, on=(CustodyPattern.child == Child.id)).join(
            Household, on=(CustodyPattern.second_household == Household.id)
        )
    else:
        q = q.join(Household, on=(Child.household == Household.id))
    return (
        q.join(Unit, on=((Unit.service == Enrolment.service) & (Unit.site == Enrolment.site)))
        .where(
            among(Unit.id, unit_ids),
            Enrolment.state == "active",
            Enrolment.start <= day,
            Enrolment.end >= day,
            (Enrolment.usual_days == "") | Enrolment.usual_days.contains(weekday),
            Household.reminders == True,  # noqa: E712
            ~fn.EXISTS(held),
        )
        .distinct()
    )


def remind(public_url: str = "", now: dt.datetime | None = None) -> int:
    """The timer's job: claim and write the reminders due at `now`. Returns how many
    e-mails were written."""
    now = now or paris_now()
    cells = candidate_cells(now)
    if not cells:
        return 0
    found = defaultdict(lambda: defaultdict(list))  # (household, deadline) -> child -> days
    names = {}
    for household_id, child_id, first_name, unit_id, day in unbooked(cells):
        deadline = cells[(unit_id, day)]
        found[(household_id, deadline)][child_id].append((day, unit_id))
        names[child_id] = first_name
    keys = sorted(found, key=lambda k: (k[1], k[0]))
    written = 0
    for i in range(0, len(keys), BATCH):
        batch = keys[i : i + BATCH]
        with transaction():
            claimed = _claim(batch)
            mails = _mails([k for k in batch if k in claimed], found, names, public_url)
            written += outbox.write_many(mails)
    return written


def _claim(keys) -> set:
    """The (household, deadline) keys this run is the first to claim."""
    by_deadline = defaultdict(list)
    for household_id, deadline in keys:
        by_deadline[deadline].append(household_id)
    claimed = set()
    for deadline, households in by_deadline.items():
        stored = to_utc_naive(deadline)
        done = {
            h
            for (h,) in ReminderSent.select(ReminderSent.household)
            .where(ReminderSent.deadline == stored, among(ReminderSent.household, households))
            .tuples()
        }
        rows = [{"household": h, "deadline": stored} for h in households if h not in done]
        if not rows:
            continue
        # the unique key decides between two runs at once: the second's rows are ignored
        for (household_id,) in (
            ReminderSent.insert_many(rows)
            .on_conflict_ignore()
            .returning(ReminderSent.household)
            .tuples()
            .execute()
        ):
            claimed.add((household_id, deadline))
    return claimed


def unsubscribe_tokens(household_ids) -> dict[int, str]:
    """household id -> its unsubscribe token, created for those that have none."""
    household_ids = set(household_ids)
    tokens = dict(
        PrivateAddress.select(PrivateAddress.household, PrivateAddress.token)
        .where(
            among(PrivateAddress.household, household_ids), PrivateAddress.purpose == UNSUBSCRIBE
        )
        .tuples()
    )
    missing = [
        {"household": h, "purpose": UNSUBSCRIBE, "token": secrets.token_urlsafe(32)}
        for h in sorted(household_ids - set(tokens))
    ]
    if missing:
        PrivateAddress.insert_many(missing).execute()
        tokens.update({row["household"]: row["token"] for row in missing})
    return tokens


def _mails(keys, found, names, public_url: str) -> list[outbox.Mail]:
    if not keys:
        return []
    household_ids = {h for h, _ in keys}
    to = outbox.addresses(household_ids)
    towns = dict(
        Household.select(Household.id, Town.name)
        .join(Town)
        .where(among(Household.id, household_ids))
        .tuples()
    )
    labels = dict(Unit.select(Unit.id, Unit.label).tuples())
    tokens = unsubscribe_tokens(h for h in household_ids if to[h])
    base = public_url.rstrip("/")
    mails = []
    for household_id, deadline in keys:
        if not to[household_id]:
            continue
        when = format_deadline_fr(deadline)
        weeks = []
        for child_id, cells in sorted(found[(household_id, deadline)].items()):
            by_week = defaultdict(list)
            for day, unit_id in sorted(cells):
                by_week[day - dt.timedelta(days=day.weekday())].append((day, unit_id))
            for monday, days in sorted(by_week.items()):
                weeks.append(
                    {
                        "sentence": (
                            f"La semaine du {format_date_fr(monday, 'd MMMM')} n'est pas "
                            f"réservée pour {names[child_id]} : réservez avant le {when}"
                        ),
                        "days": [f"{format_date_fr(d)} : {labels[u]}" for d, u in days],
                        "link": (
                            f"{base}/enfants/{child_id}/planning?vue=semaine&date={monday}"
                            if base
                            else ""
                        ),
                    }
                )
        unsubscribe = f"{base}/rappels/desabonnement/{tokens[household_id]}"
        values = {
            "weeks": weeks,
            "deadline": when,
            "unsubscribe": unsubscribe,
            "town_name": towns[household_id],
        }
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        subject = f"Rappel : réservez avant le {when}"
        mails.append(
            outbox.Mail(tuple(to[household_id]), subject, "deadline_reminder", values, headers)
        )
    return mails


def household_of_token(token: str) -> Household | None:
    row = PrivateAddress.get_or_none(
        PrivateAddress.token == (token or "")[:64], PrivateAddress.purpose == UNSUBSCRIBE
    )
    return None if row is None else Household.get_by_id(row.household_id)


def set_reminders(household_id: int, on: bool) -> None:
    """A household's choice in "Mon compte" (or the one-click unsubscribe)."""
    with transaction():
        Household.update(reminders=on).where(Household.id == household_id).execute()


def unsubscribe(token: str) -> Household | None:
    """The one-click unsubscribe: reminders stop for the token's household."""
    household = household_of_token(token)
    if household is not None:
        set_reminders(household.id, False)
    return household
