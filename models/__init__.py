"""Peewee tables, split by aggregate, bound to one proxy."""

from .accounts import (
    AccountProfile,
    AccountSession,
    ConnectionLog,
    EnrolmentOffer,
    HouseholdChange,
    IdempotentReply,
    OneTimeToken,
    PickupPerson,
)
from .audit import AuditEntry
from .billing import (
    AbsenceJustification,
    CreditNote,
    DummyBankTransaction,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoicingRun,
    Payment,
    PaymentInvoice,
    PaymentNotification,
    Price,
)
from .bookings import Booking, Request, RequestLine
from .catalogue import Closure, Enrolment, Service, Site, Unit
from .content import ChildAllergen, ContentItem, Dish, Folder
from .db import (
    BaseModel,
    HotQuery,
    after_commit,
    among,
    bind_database,
    database,
    hydrate,
    is_postgres,
    is_sqlite,
    transaction,
)
from .families import Account, Child, Guardian, Household, Town, utcnow
from .history import WorkflowHistory
from .outbox import OutgoingMail

ALL_MODELS = [
    Town,
    Household,
    Account,
    Guardian,
    Child,
    Service,
    Site,
    Unit,
    Enrolment,
    Closure,
    Request,
    RequestLine,
    Booking,
    WorkflowHistory,
    Price,
    AbsenceJustification,
    InvoicingRun,
    InvoiceCounter,
    Invoice,
    InvoiceLine,
    CreditNote,
    Payment,
    PaymentInvoice,
    PaymentNotification,
    DummyBankTransaction,
    OneTimeToken,
    AccountSession,
    ConnectionLog,
    AccountProfile,
    PickupPerson,
    HouseholdChange,
    EnrolmentOffer,
    OutgoingMail,
    IdempotentReply,
    Folder,
    ContentItem,
    Dish,
    ChildAllergen,
    AuditEntry,
]


def create_schema() -> None:
    """Create every table and index that is missing (safe to run again)."""
    with database.atomic():
        database.create_tables(ALL_MODELS, safe=True)


def drop_schema() -> None:
    database.drop_tables(ALL_MODELS, safe=True, cascade=is_postgres())


__all__ = [
    "ALL_MODELS",
    "Account",
    "AuditEntry",
    "BaseModel",
    "Booking",
    "Child",
    "Closure",
    "Enrolment",
    "Guardian",
    "HotQuery",
    "Household",
    "Request",
    "RequestLine",
    "Service",
    "Site",
    "Town",
    "Unit",
    "WorkflowHistory",
    "after_commit",
    "among",
    "bind_database",
    "create_schema",
    "database",
    "drop_schema",
    "hydrate",
    "is_postgres",
    "is_sqlite",
    "transaction",
    "utcnow",
]
