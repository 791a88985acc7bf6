"""Enrolment requests: a parent asks online for a child's enrolment in a service the town
opens to it; staff accept, refuse or put it on the waiting list; a place that frees admits
the first waiting request. Every change is a transition of definitions.ENROLMENT."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models import Child, Household, transaction
from models.accounts import EnrolmentOffer
from models.catalogue import Enrolment, Service, Site

from . import enrolment_rules, family_notices
from .definitions import ENROLMENT
from .engine import SYSTEM, Actor, GuardFailed, WorkflowError, create, fire
from .school_years import current_and_next

OPEN_STATES = ("requested", "waiting", "active")
WEEKDAYS = "12345"

REFUSALS_FR = {
    "full": "Plus de place disponible dans cette structure pour cette période.",
    "not_first_waiting": "D'autres demandes attendent avant celle-ci sur la liste d'attente.",
    "reason_required": "Indiquez le motif du refus.",
    "forbidden": "Vous n'avez pas le droit de faire cette action.",
    "invalid_transition": "Cette demande a déjà été traitée.",
    "conflict": "Cette demande vient d'être traitée par quelqu'un d'autre.",
}


def refusal_fr(exc: WorkflowError) -> str:
    return REFUSALS_FR.get(exc.code, "Cette action n'est pas possible.")


class EnrolmentError(Exception):
    """A request a parent cannot send, with the reason in French."""


@dataclass(frozen=True)
class EnrolmentSpec:
    child_id: int
    service_id: int
    site_id: int
    start: dt.date
    end: dt.date
    usual_days: str


def offers(town_id: int):
    """The (service, site) pairs the town opens to online requests."""
    return (
        EnrolmentOffer.select(EnrolmentOffer, Service, Site)
        .join(Service, on=(EnrolmentOffer.service == Service.id))
        .switch(EnrolmentOffer)
        .join(Site, on=(EnrolmentOffer.site == Site.id))
        .where(Service.town == town_id, EnrolmentOffer.open_online == True)  # noqa: E712
        .order_by(Service.name, Site.name)
    )


def school_years(
    town_id: int | None = None, today: dt.date | None = None
) -> list[tuple[dt.date, dt.date]]:
    """The current and the next school year of the town (school_years.current_and_next;
    the computed 1 September – 4 July years for a town without its own)."""
    return current_and_next(town_id, today)


def request_enrolment(actor: Actor, spec: EnrolmentSpec) -> Enrolment:
    """A parent's online request: state 'requested', decided by staff."""
    child = Child.get_or_none(Child.id == spec.child_id)
    if child is None or child.household_id not in actor.household_ids:
        raise EnrolmentError("Cet enfant n'est pas dans votre foyer.")
    household = Household.get_by_id(child.household_id)
    offer = (
        offers(household.town_id)
        .where(EnrolmentOffer.service == spec.service_id, EnrolmentOffer.site == spec.site_id)
        .first()
    )
    if offer is None:
        raise EnrolmentError("Ce service ne peut pas être demandé en ligne dans cette structure.")
    days = "".join(sorted(set(spec.usual_days) & set(WEEKDAYS)))
    if not days:
        raise EnrolmentError("Choisissez au moins un jour de fréquentation habituel.")
    if spec.end < spec.start:
        raise EnrolmentError("La période choisie n'est pas valable.")
    with transaction():
        clash = (
            Enrolment.select()
            .where(
                Enrolment.child == child.id,
                Enrolment.service == spec.service_id,
                Enrolment.state.in_(OPEN_STATES),
                Enrolment.start <= spec.end,
                Enrolment.end >= spec.start,
            )
            .exists()
        )
        if clash:
            raise EnrolmentError(
                f"{child.first_name} est déjà inscrit(e) ou a déjà une demande "
                "en cours pour ce service sur cette période."
            )
        enrolment = create(
            ENROLMENT,
            "request",
            actor,
            owner=(household.id, household.town_id),
            values={
                "child": child,
                "service": spec.service_id,
                "site": spec.site_id,
                "start": spec.start,
                "end": spec.end,
                "usual_days": days,
            },
        )
    return enrolment


def owner(enrolment: Enrolment) -> tuple[int, int]:
    household = Household.get_by_id(enrolment.child.household_id)
    return household.id, household.town_id


def decide(actor: Actor, enrolment_id: int, decision: str, reason: str = "") -> str:
    """Staff decision on a request: 'accept', 'refuse' (reason) or 'queue'; 'admit' for a
    waiting one. Raises WorkflowError (see refusal_fr)."""
    if decision not in ("accept", "refuse", "queue", "admit"):
        raise WorkflowError(f"unknown decision {decision!r}", code="invalid_transition")
    enrolment = Enrolment.get_by_id(enrolment_id)
    return fire(ENROLMENT, enrolment, decision, actor, owner=owner(enrolment), comment=reason)


def withdraw(actor: Actor, enrolment_id: int) -> str:
    enrolment = Enrolment.get_by_id(enrolment_id)
    was = enrolment.state
    with transaction():
        state = fire(ENROLMENT, enrolment, "withdraw", actor, owner=owner(enrolment))
        if was == "waiting":
            admit_waiting(enrolment.service_id, enrolment.site_id)
    return state


def end(actor: Actor, enrolment_id: int, comment: str = "") -> list[int]:
    """End an active enrolment; the freed place admits the first waiting request.
    Returns the ids admitted."""
    enrolment = Enrolment.get_by_id(enrolment_id)
    with transaction():
        fire(ENROLMENT, enrolment, "end", actor, owner=owner(enrolment), comment=comment)
        return admit_waiting(enrolment.service_id, enrolment.site_id)


def admit_waiting(service_id: int, site_id: int) -> list[int]:
    """Admit waiting requests in the line's order while places are left (the system's
    transition): after an enrolment ends or is withdrawn, or the capacity is raised. Each
    household admitted is told by e-mail in the same transaction; the others move up (a
    rank is a position in enrolment_rules.waiting_line)."""
    admitted = []
    with transaction():
        while True:
            first = enrolment_rules.first_waiting(service_id, site_id)
            if first is None:
                break
            try:
                fire(ENROLMENT, first, "admit", SYSTEM, owner=owner(first))
            except GuardFailed:
                break
            admitted.append(first.id)
        family_notices.tell_enrolments_admitted(admitted)
    return admitted


def _with_details():
    """Enrolments with their child, service and site, in one query."""
    return (
        Enrolment.select(Enrolment, Child, Service, Site)
        .join(Child)
        .switch(Enrolment)
        .join(Service)
        .switch(Enrolment)
        .join(Site)
    )


def worklist(town_id: int, states=("requested", "waiting")):
    """The staff worklist: requests (and the waiting list) of the town, oldest first."""
    return (
        _with_details()
        .where(Enrolment.state.in_(states), Service.town == town_id)
        .order_by(Enrolment.id)
    )


def of_household(household_id: int):
    return (
        _with_details()
        .where(Child.household == household_id)
        .order_by(Child.first_name, Enrolment.start.desc(), Service.name)
    )


def certificate_values(enrolment: Enrolment) -> dict:
    """Plain values for the enrolment certificate PDF (templates/pdf/enrolment_certificate)."""
    child = enrolment.child
    household = Household.get_by_id(child.household_id)
    town = household.town
    weekdays = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
    return {
        "town_name": town.name,
        "town_address": town.address,
        "town_contact": " ".join(x for x in (town.contact_email, town.contact_phone) if x),
        "household_name": household.name,
        "household_address": household.address,
        "child_name": f"{child.first_name} {child.last_name}",
        "birth_date": child.birth_date.strftime("%d/%m/%Y") if child.birth_date else "",
        "school": child.school,
        "class_name": child.class_name,
        "service": enrolment.service.name,
        "site": enrolment.site.name,
        "start": enrolment.start.strftime("%d/%m/%Y"),
        "end": enrolment.end.strftime("%d/%m/%Y"),
        "usual_days": ", ".join(
            weekdays[int(d) - 1] for d in enrolment.usual_days if d.isdigit() and 1 <= int(d) <= 7
        ),
        "issued": dt.date.today().strftime("%d/%m/%Y"),
    }
