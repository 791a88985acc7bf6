"""One town's data: the condition that keeps a staff member inside their own town.

Written with sub-selects rather than joins, so that Flask-Admin can still add its own joins
for sorting, searching and filtering on related columns without joining a table twice.
"""

from __future__ import annotations

from peewee import Expression, ModelSelect

from models import (
    AbsenceJustification,
    Account,
    AuditEntry,
    Booking,
    Child,
    Closure,
    ContentItem,
    CreditNote,
    Enrolment,
    Guardian,
    Household,
    Invoice,
    InvoicingRun,
    Opening,
    Payment,
    Price,
    Request,
    RequestLine,
    SchoolYear,
    Service,
    Site,
    Town,
    Unit,
    WorkflowHistory,
)
from workflows import journal


def _households(town_id):
    return Household.select(Household.id).where(Household.town == town_id)


def _children(town_id):
    return Child.select(Child.id).where(Child.household.in_(_households(town_id)))


def _units(town_id):
    return Unit.select(Unit.id).where(
        Unit.service.in_(Service.select(Service.id).where(Service.town == town_id))
    )


def _accounts(town_id) -> Expression:
    staff = Account.town == town_id
    parents = Account.id.in_(
        Guardian.select(Guardian.account).where(
            Guardian.household.in_(_households(town_id)), Guardian.account.is_null(False)
        )
    )
    return staff | parents


def _history(town_id) -> Expression:
    """History rows have no town column: a row is the town's when its object is (each
    workflow's objects, workflows/journal.py), or when one of the town's staff fired it."""
    staff = Account.select(Account.id).where(Account.town == town_id)
    condition = WorkflowHistory.actor.in_(staff)
    for workflow, (model, _) in journal.MODELS.items():
        ids = model.select(model.id).where(CONDITIONS[model](town_id))
        condition |= (WorkflowHistory.workflow == workflow) & WorkflowHistory.object_id.in_(ids)
    return condition


CONDITIONS = {
    Town: lambda t: Town.id == t,
    Household: lambda t: Household.town == t,
    Account: _accounts,
    Guardian: lambda t: Guardian.household.in_(_households(t)),
    Child: lambda t: Child.household.in_(_households(t)),
    Service: lambda t: Service.town == t,
    Site: lambda t: Site.town == t,
    Unit: lambda t: Unit.service.in_(Service.select(Service.id).where(Service.town == t)),
    Enrolment: lambda t: Enrolment.child.in_(_children(t)),
    Closure: lambda t: Closure.town == t,
    Request: lambda t: Request.household.in_(_households(t)),
    RequestLine: lambda t: RequestLine.unit.in_(_units(t)),
    Booking: lambda t: Booking.unit.in_(_units(t)),
    WorkflowHistory: _history,
    Price: lambda t: Price.town == t,
    AbsenceJustification: lambda t: AbsenceJustification.child.in_(_children(t)),
    Invoice: lambda t: Invoice.town == t,
    Payment: lambda t: Payment.town == t,
    CreditNote: lambda t: CreditNote.town == t,
    AuditEntry: lambda t: AuditEntry.town == t,
    ContentItem: lambda t: ContentItem.town == t,
    InvoicingRun: lambda t: InvoicingRun.town == t,
    Opening: lambda t: Opening.town == t,
    SchoolYear: lambda t: SchoolYear.town == t,
}


def in_town(model, town_id: int | None) -> Expression:
    """The condition that keeps rows of `model` to `town_id` (nothing when there is none)."""
    if town_id is None:
        return model._meta.primary_key.is_null()  # a staff account without a town sees nothing
    return CONDITIONS[model](town_id)


def scoped(model, town_id: int | None) -> ModelSelect:
    return model.select().where(in_town(model, town_id))


def town_units(town_id: int | None) -> list[Unit]:
    """The town's units with their site, by site then position (the screens' unit menus)."""
    return list(
        Unit.select(Unit, Site)
        .join(Service, on=(Unit.service == Service.id))
        .switch(Unit)
        .join(Site, on=(Unit.site == Site.id))
        .where(Service.town == town_id)
        .order_by(Site.name, Unit.position)
    )
