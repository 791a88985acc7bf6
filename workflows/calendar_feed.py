"""The household's bookings in its own calendar: a private iCalendar (RFC 5545) address per
child or for all the children, named by a long random token (PrivateAddress, purpose
'calendar'), read without login by calendar apps. Booked days are all-day events, days
asked for or on the waiting list are TENTATIVE; on request the booking deadlines of the
coming weeks' free days are events with an alarm. Regenerating deletes the household's
tokens: the old addresses are then unknown."""

from __future__ import annotations

import datetime as dt
import secrets

from icalendar import Alarm, Calendar, Event

from models import Booking, Child, Enrolment, Service, Site, Unit, transaction
from models.reminders import PrivateAddress

from . import custody, homes
from .calendar import PARIS, format_date_fr, format_deadline_fr
from .reminders import reminded_units
from .rules import RuleContext
from .units import load_closures, unit_infos, until

CALENDAR = "calendar"
CONFIRMED = ("booked", "cancel_requested")
TENTATIVE = ("requested", "waiting", "queued")
PAST_DAYS = 31  # the feed starts a month back
AHEAD_DAYS = 366
DEADLINES_AHEAD = 21  # days whose booking deadline the feed shows (with ?echeances=1)


def token_for(household_id: int, child_id: int | None) -> str:
    """The household's calendar token for one child (or all, child None), made once."""
    with transaction():
        row = PrivateAddress.get_or_none(
            PrivateAddress.household == household_id,
            PrivateAddress.purpose == CALENDAR,
            PrivateAddress.child.is_null()
            if child_id is None
            else PrivateAddress.child == child_id,
        )
        if row is None:
            row = PrivateAddress.create(
                household=household_id,
                purpose=CALENDAR,
                child=child_id,
                token=secrets.token_urlsafe(32),
            )
        return row.token


def regenerate(household_id: int) -> int:
    """Forget every calendar address of the household (new ones are made when asked for)."""
    with transaction():
        return (
            PrivateAddress.delete()
            .where(PrivateAddress.household == household_id, PrivateAddress.purpose == CALENDAR)
            .execute()
        )


def _address(token: str) -> PrivateAddress | None:
    return PrivateAddress.get_or_none(
        PrivateAddress.token == (token or "")[:64], PrivateAddress.purpose == CALENDAR
    )


def _children(row: PrivateAddress) -> list[Child]:
    q = homes.children_of(row.household_id)  # a shared child's second home included
    if row.child_id is not None:
        q = q.where(Child.id == row.child_id)
    return list(q.order_by(Child.id))


def children_of_token(token: str) -> list[Child] | None:
    """The children a token's feed covers, or None for an unknown token."""
    row = _address(token)
    return None if row is None else _children(row)


def feed(token: str, now: dt.datetime | None = None, deadlines: bool = False) -> bytes | None:
    """The iCalendar text of a token's feed, or None for an unknown token. A shared child's
    feed shows the household's own days: the bookings its requests made, and the deadlines
    of the days it may book (workflows.homes)."""
    address = _address(token)
    if address is None:
        return None
    children = _children(address)
    household_id = address.household_id
    now = now or dt.datetime.now(PARIS)
    today = now.astimezone(PARIS).date()
    cal = Calendar()
    cal.add("prodid", "-//Portail Famille//calendrier//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Portail Famille – " + ", ".join(c.first_name for c in children))
    names = {c.id: c.first_name for c in children}
    several = len(children) > 1
    rows = (
        Booking.select(
            Booking.id,
            Booking.child,
            Booking.date,
            Booking.state,
            Unit.label,
            Service.name,
            Site.name,
            Site.address,
            Booking.unit,
        )
        .join(Unit, on=(Booking.unit == Unit.id))
        .join(Service, on=(Unit.service == Service.id))
        .switch(Unit)
        .join(Site, on=(Unit.site == Site.id))
        .where(
            Booking.child.in_(list(names)),
            Booking.state.in_(CONFIRMED + TENTATIVE),
            Booking.date >= today - dt.timedelta(days=PAST_DAYS),
            Booking.date <= today + dt.timedelta(days=AHEAD_DAYS),
        )
        .order_by(Booking.date, Unit.position)
        .tuples()
    )
    stamp = now.astimezone(dt.UTC)
    shared = homes.patterns_of(names)
    owners = (
        homes.booking_households(
            shared, today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=AHEAD_DAYS)
        )
        if shared
        else {}
    )
    for booking_id, child_id, day, state, label, service, site, address, unit_id in rows:
        if child_id in shared:
            owner = owners.get((child_id, unit_id, day))
            if owner is None and not custody.may_book(shared[child_id], household_id, day):
                continue
            if owner is not None and owner != household_id:
                continue  # the other household's booking
        event = Event()
        event.add("uid", f"booking-{booking_id}@portail-famille")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        summary = f"{service} – {label}"
        event.add("summary", f"{names[child_id]} : {summary}" if several else summary)
        event.add("location", f"{site}, {address}" if address else site)
        event.add("status", "CONFIRMED" if state in CONFIRMED else "TENTATIVE")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    if deadlines:
        for event in _deadline_events(names, now, stamp, shared, household_id):
            cal.add_component(event)
    return cal.to_ical()


def _deadline_events(
    names: dict[int, str], now: dt.datetime, stamp: dt.datetime, shared=None, household_id=None
):
    """One event per deadline moment of the next DEADLINES_AHEAD days' open, enrolled and
    free cells (a shared child's: the household's own days), with an alarm an hour before."""
    shared = shared or {}
    enrolled = list(
        Enrolment.select(Enrolment.child, Enrolment.service, Enrolment.site, Enrolment.start)
        .select_extend(Enrolment.end, Enrolment.usual_days)
        .where(Enrolment.child.in_(list(names)), Enrolment.state == "active")
        .tuples()
    )
    units = reminded_units()
    group_of = {u.id: (u.site_id, u.exclusive_group or u.id) for u in unit_infos().values()}
    ctx = RuleContext({u.id: u for u in units}, {}, load_closures({u.town_id for u in units}), now)
    held = {
        (c, group_of.get(u), d)
        for c, u, d in Booking.select(Booking.child, Booking.unit, Booking.date)
        .where(Booking.child.in_(list(names)), Booking.state.in_(CONFIRMED + TENTATIVE))
        .tuples()
    }
    today = now.astimezone(PARIS).date()
    moments: dict[dt.datetime, list[str]] = {}
    for child_id, service_id, site_id, start, end, usual in enrolled:
        for u in units:
            if u.service_id != service_id or u.site_id != site_id:
                continue
            for i in range(DEADLINES_AHEAD):
                day = today + dt.timedelta(days=i)
                if not start <= day <= end or (usual and str(day.isoweekday()) not in usual):
                    continue
                if child_id in shared and not custody.may_book(shared[child_id], household_id, day):
                    continue
                at, passed = until(u, "book", day, now)
                if passed or (child_id, group_of[u.id], day) in held or ctx.closed_why(u, day):
                    continue
                moments.setdefault(at, []).append(
                    f"{names[child_id]} : {u.label}, {format_date_fr(day)}"
                )
    for at, what in sorted(moments.items()):
        event = Event()
        event.add("uid", f"deadline-{at:%Y%m%dT%H%M}-{min(names)}@portail-famille")
        event.add("dtstamp", stamp)
        event.add("dtstart", at)
        event.add("duration", dt.timedelta(minutes=15))
        event.add("summary", f"Réservations : dernier délai, {format_deadline_fr(at)}")
        event.add("description", "Pas encore réservé :\n" + "\n".join(what))
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "Dernier délai pour réserver")
        alarm.add("trigger", dt.timedelta(hours=-1))
        event.add_component(alarm)
        yield event
