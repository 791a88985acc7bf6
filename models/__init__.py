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
    RecoveryCode,
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
from .catalogue import Closure, Enrolment, SchoolYear, Service, Site, Unit
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
from .families import (
    Account,
    Child,
    CustodyPattern,
    Guardian,
    Household,
    Town,
    TownLogo,
    utcnow,
)
from .history import WorkflowHistory
from .openings import Opening, OpeningDecision, OpeningRequest, OpeningUnit
from .outbox import OutgoingMail
from .reminders import PrivateAddress, ReminderSent
from .staff import AttendanceMark, HouseholdMessage, StaffApiToken, WalkInPrice

ALL_MODELS = [
    Town,
    Household,
    Account,
    Guardian,
    Child,
    CustodyPattern,
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
    StaffApiToken,
    AttendanceMark,
    WalkInPrice,
    HouseholdMessage,
    ReminderSent,
    PrivateAddress,
    Opening,
    OpeningUnit,
    OpeningRequest,
    OpeningDecision,
    AuditEntry,
    RecoveryCode,
    SchoolYear,
    TownLogo,
]


def create_schema() -> None:
    """Create every table and index that is missing, and add the columns a newer version
    of a table has (safe to run again: `make run` on an instance made by an older version)."""
    with database.atomic():
        database.create_tables(ALL_MODELS, safe=True)
        add_missing_columns()


def add_missing_columns() -> None:
    """Columns of the models that their table lacks, added with their default (a new
    column is always nullable or has one)."""
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(database.obj)
    ops = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        have = {c.name for c in database.get_columns(table)}
        for field in model._meta.sorted_fields:
            if field.column_name not in have:
                ops.append(migrator.add_column(table, field.column_name, field))
    if ops:
        migrate(*ops)


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
    "CustodyPattern",
    "Enrolment",
    "Guardian",
    "HotQuery",
    "Household",
    "Request",
    "RequestLine",
    "SchoolYear",
    "Service",
    "Site",
    "Town",
    "TownLogo",
    "Unit",
    "WorkflowHistory",
    "Opening",
    "OpeningDecision",
    "OpeningRequest",
    "OpeningUnit",
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
