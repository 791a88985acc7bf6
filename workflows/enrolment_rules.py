"""The enrolment workflow's rules as small functions: places left at a site for a service,
and the waiting list's order (first queued, first admitted). A rank is a position in
`waiting_line`, never stored: when a request leaves the line (admitted, withdrawn), the
ones behind it move up."""

from __future__ import annotations

from models.accounts import EnrolmentOffer
from models.catalogue import Enrolment


def capacity(service_id: int, site_id: int) -> int | None:
    offer = EnrolmentOffer.get_or_none(
        EnrolmentOffer.service == service_id, EnrolmentOffer.site == site_id
    )
    return offer.capacity if offer else None


def places_left(
    service_id: int, site_id: int, start, end, exclude: int | None = None
) -> int | None:
    """Places left for an enrolment over [start, end] (None: no limit). Every active
    enrolment that overlaps the period takes one place."""
    cap = capacity(service_id, site_id)
    if cap is None:
        return None
    query = Enrolment.select().where(
        Enrolment.service == service_id,
        Enrolment.site == site_id,
        Enrolment.state == "active",
        Enrolment.start <= end,
        Enrolment.end >= start,
    )
    if exclude is not None:
        query = query.where(Enrolment.id != exclude)
    return max(cap - query.count(), 0)


def guard_place_left(enrolment: Enrolment, context=None) -> str | None:
    left = places_left(
        enrolment.service_id,
        enrolment.site_id,
        enrolment.start,
        enrolment.end,
        exclude=enrolment.id,
    )
    return "full" if left == 0 else None


def waiting_line(service_id: int, site_id: int):
    """The waiting requests of a service at a site, in the line's order (the rank rule)."""
    return (
        Enrolment.select()
        .where(
            Enrolment.service == service_id, Enrolment.site == site_id, Enrolment.state == "waiting"
        )
        .order_by(Enrolment.id)
    )


def first_waiting(service_id: int, site_id: int) -> Enrolment | None:
    return waiting_line(service_id, site_id).first()


def guard_first_waiting(enrolment: Enrolment, context=None) -> str | None:
    """A place is free, and this request is the first waiting one (unless staff force it
    with context='force')."""
    if guard_place_left(enrolment):
        return "full"
    if context != "force":
        first = first_waiting(enrolment.service_id, enrolment.site_id)
        if first is not None and first.id != enrolment.id:
            return "not_first_waiting"
    return None


def waiting_rank(enrolment: Enrolment) -> int | None:
    if enrolment.state != "waiting":
        return None
    line = waiting_line(enrolment.service_id, enrolment.site_id)
    return line.where(Enrolment.id <= enrolment.id).count()
