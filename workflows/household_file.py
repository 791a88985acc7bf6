"""A household's whole file, for staff of its town: finding it (by household, guardian,
e-mail, phone, child or CAF number), then its guardians, children, enrolments, requests,
invoices, payments, balance and history, each one query."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN, fn

from models import (
    Account,
    Booking,
    Child,
    Enrolment,
    Guardian,
    Household,
    Request,
    RequestLine,
    Service,
    Site,
    Unit,
    WorkflowHistory,
)
from models.accounts import HouseholdChange
from models.billing import Payment

from . import homes, words
from .billing import household_invoices
from .calendar import format_date_fr

LIMIT = 50


def _like(field, text: str):
    return fn.LOWER(field).contains(text.lower())


def search(town_id: int, text: str) -> list[Household]:
    """Households of the town whose name, CAF number, guardian (name, e-mail, phone) or child
    matches `text` (case-insensitive, part of a word); at most LIMIT, by name."""
    text = text.strip()
    if len(text) < 2:
        return []
    digits = "".join(ch for ch in text if ch.isdigit())
    guardians = Guardian.select(Guardian.household).where(
        _like(Guardian.first_name, text)
        | _like(Guardian.last_name, text)
        | _like(Guardian.email, text)
        | (
            _like(fn.REPLACE(fn.REPLACE(Guardian.phone, " ", ""), ".", ""), digits)
            if len(digits) >= 4
            else _like(Guardian.phone, text)
        )
    )
    children = Child.select(Child.household).where(
        _like(Child.first_name, text) | _like(Child.last_name, text)
    )
    return list(
        Household.select()
        .where(
            Household.town == town_id,
            _like(Household.name, text)
            | _like(Household.caf_number, text)
            | Household.id.in_(guardians)
            | Household.id.in_(children),
        )
        .order_by(Household.name)
        .limit(LIMIT)
    )


@dataclass
class HouseholdFile:
    household: Household
    guardians: list
    children: list
    enrolments: list
    requests: list
    invoices: list
    payments: list
    balance_cents: int
    history: list  # (at, what, by) newest first


def load(town_id: int, household_id: int) -> HouseholdFile | None:
    household = Household.get_or_none(Household.id == household_id, Household.town == town_id)
    if household is None:
        return None
    # its own children and those it shares as their second home (garde alternée)
    children = list(homes.children_of(household.id).order_by(Child.first_name))
    child_ids = [c.id for c in children]
    enrolments = list(
        Enrolment.select(Enrolment, Service, Site)
        .join(Service, on=(Enrolment.service == Service.id))
        .switch(Enrolment)
        .join(Site, on=(Enrolment.site == Site.id))
        .where(Enrolment.child.in_(child_ids))
        .order_by(Enrolment.start.desc())
    )
    requests = list(
        Request.select(Request, fn.COUNT(RequestLine.id).alias("line_count"))
        .join(RequestLine, on=(RequestLine.request == Request.id))
        .where(Request.household == household.id, Request.state != "basket")
        .group_by(Request.id)
        .order_by(Request.id.desc())
        .limit(LIMIT)
    )
    invoices = household_invoices(household.id)
    payments = list(
        Payment.select().where(Payment.household == household.id).order_by(Payment.id.desc())
    )
    balance = sum(i.balance_cents for i in invoices if i.state in ("issued", "partly_paid"))
    names = {c.id: c.first_name for c in children}
    booking_rows = (
        WorkflowHistory.select(
            WorkflowHistory.at,
            WorkflowHistory.to_state,
            WorkflowHistory.comment,
            WorkflowHistory.role,
            fn.COALESCE(fn.NULLIF(Account.display_name, ""), Account.email),
            Booking.child,
            Booking.date,
            Unit.label,
        )
        .join(Booking, on=(WorkflowHistory.object_id == Booking.id))
        .join(Unit, on=(Booking.unit == Unit.id))
        .switch(WorkflowHistory)
        .join(Account, JOIN.LEFT_OUTER, on=(WorkflowHistory.actor == Account.id))
        .where(WorkflowHistory.workflow == "booking", Booking.child.in_(child_ids))
        .order_by(WorkflowHistory.at.desc(), WorkflowHistory.id.desc())
        .limit(LIMIT)
        .tuples()
    )
    history = [
        (
            at,
            f"{names.get(child, '')} – {label} du {format_date_fr(day, 'd MMMM y')} : "
            f"{words.title('booking', to)}" + (f" ({comment})" if comment else ""),
            email or ("système" if role == "system" else ""),
        )
        for at, to, comment, role, email, child, day, label in booking_rows
    ] + [
        (
            c.at,
            f"{c.subject} – {c.field} : {c.old_value} → {c.new_value}",
            c.account.shown_name if c.account else "",
        )
        for c in HouseholdChange.select()
        .where(HouseholdChange.household == household.id)
        .order_by(HouseholdChange.at.desc())
        .limit(LIMIT)
    ]
    history.sort(key=lambda x: x[0], reverse=True)
    return HouseholdFile(
        household,
        list(Guardian.select().where(Guardian.household == household.id).order_by(Guardian.id)),
        children,
        enrolments,
        requests,
        invoices,
        payments,
        balance,
        history,
    )
