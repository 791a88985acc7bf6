"""Towns, households, the people in them and their logins."""

from __future__ import annotations

import datetime as dt

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .db import BaseModel


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Town(BaseModel):
    name = CharField()
    slug = CharField(unique=True)
    zone = CharField(max_length=1)  # school-holiday zone: A, B or C
    address = TextField(default="")
    contact_email = CharField(default="")
    contact_phone = CharField(default="")
    adhesion_code = CharField(unique=True)
    # Households are reminded by e-mail of a booking deadline this many hours before it.
    reminder_hours = IntegerField(default=48)
    # The town's own payment provider (eopayment), set on its settings screen; an empty
    # backend means the portal's configuration (config.payment_towns). The secrets are kept
    # apart from the options: never shown back, masked in the audit.
    payment_backend = CharField(default="")
    payment_options = TextField(default="{}")  # JSON
    payment_secrets = TextField(default="{}")  # JSON

    def __str__(self) -> str:
        return self.name


class TownLogo(BaseModel):
    """The town's logo (PNG or JPEG, checked at upload), served by the portal. A table of
    its own, so that reading a town (joined to every unit by the rules) never reads it."""

    town = ForeignKeyField(Town, unique=True, on_delete="CASCADE")
    content_type = CharField()
    data = BlobField()
    updated_at = DateTimeField(default=utcnow)


class Household(BaseModel):
    town = ForeignKeyField(Town, backref="households", on_delete="CASCADE")
    name = CharField()
    address = TextField(default="")
    caf_number = CharField(default="")
    qf = IntegerField(null=True)  # quotient familial
    qf_updated = DateField(null=True)
    dependent_children = IntegerField(default=0)
    reminders = BooleanField(default=True)  # e-mails before a booking deadline closes

    def __str__(self) -> str:
        return f"{self.name} ({self.town.name})"


class Account(BaseModel):
    """A login. Parents reach their household through a Guardian; staff have roles in a town."""

    email = CharField(unique=True)
    # optional, for staff: the name the household's history shows ("Claire Dupont")
    display_name = CharField(default="")
    password_hash = CharField()
    is_active = BooleanField(default=True)
    is_staff = BooleanField(default=False)
    roles = CharField(default="")  # staff roles, comma separated: approver,finance,admin...
    town = ForeignKeyField(Town, null=True, backref="staff", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    # Bumped to end every session and token of this account at once.
    session_version = IntegerField(default=0)
    # The second factor (TOTP, RFC 6238; workflows/second_factor.py): the base32 secret, set
    # when enrolment starts, in use once confirmed (mandatory for staff, a parent's choice),
    # and the last time step accepted (a code is refused a second time).
    totp_secret = CharField(default="")
    totp_confirmed_at = DateTimeField(null=True)
    totp_last_step = IntegerField(default=0)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)

    @property
    def shown_name(self) -> str:
        """The display name when there is one, else the e-mail."""
        return self.display_name or self.email

    def __str__(self) -> str:
        return self.email


class Guardian(BaseModel):
    household = ForeignKeyField(Household, backref="guardians", on_delete="CASCADE")
    account = ForeignKeyField(Account, null=True, backref="guardians", on_delete="SET NULL")
    civility = CharField(default="")
    first_name = CharField()
    last_name = CharField()
    email = CharField(default="")
    phone = CharField(default="")
    is_reference = BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Child(BaseModel):
    household = ForeignKeyField(Household, backref="children", on_delete="CASCADE")
    first_name = CharField()
    last_name = CharField()
    birth_date = DateField(null=True)
    school = CharField(default="")
    class_name = CharField(default="")
    meal_option = CharField(default="")  # e.g. "sans porc", never a religion (CNIL)
    has_pai = BooleanField(default=False)  # allergy plan

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CustodyPattern(BaseModel):
    """A child shared by two homes (garde alternée): the child's own household (Child.household)
    and `second_household`, and which of them has the child on which day, from
    `effective_from` (workflows.custody reads it; the latest pattern in force wins). A new
    pattern is a new row: the old ones say who had the child before."""

    child = ForeignKeyField(Child, backref="custody_patterns", on_delete="CASCADE")
    second_household = ForeignKeyField(Household, backref="shared_children", on_delete="CASCADE")
    kind = CharField()  # weeks, handover, periods, both (workflows.custody.KINDS)
    start = DateField(null=True)  # the Monday of the child's first week in its own household
    handover = IntegerField(default=1)  # ISO weekday the child changes home (kind handover)
    periods = TextField(default="")  # JSON [[first day, last day, household id], ...]
    effective_from = DateField(null=True)
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(Account, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("child", "effective_from"), False),)
