"""Login bookkeeping: one-time links, server-side sessions, connection logs, the parent's
own profile (before and beside any household), pickup persons and the household change log."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .catalogue import Service, Site
from .db import BaseModel
from .families import Account, Household, utcnow

TOKEN_PURPOSES = ("invite", "reset", "confirm")


class OneTimeToken(BaseModel):
    """A one-time link. The link itself is signed (itsdangerous) and carries a random nonce;
    only the nonce's SHA-256 is stored, so a copy of the database opens no account."""

    account = ForeignKeyField(Account, backref="tokens", on_delete="CASCADE")
    purpose = CharField()
    nonce_hash = CharField(unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("account", "purpose"), False),)

    def __str__(self) -> str:
        return f"{self.purpose} #{self.id}"


class AccountSession(BaseModel):
    """A live login. Flask's session cookie only names it (`sid`): logging out deletes the
    row, so a replayed cookie finds nothing and is refused."""

    account = ForeignKeyField(Account, backref="sessions", on_delete="CASCADE")
    sid = CharField(unique=True)
    created_at = DateTimeField(default=utcnow)
    last_seen = DateTimeField(default=utcnow)
    # When the second factor was passed in this session (None: not yet, or not asked).
    second_factor_at = DateTimeField(null=True)

    def __str__(self) -> str:
        return f"session #{self.id}"


class RecoveryCode(BaseModel):
    """One of the ten single-use codes that stand in for the second factor (a lost phone).
    Only its SHA-256 is stored; the codes are shown once, when made."""

    account = ForeignKeyField(Account, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)
    used_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("account", "code_hash"), True),)

    def __str__(self) -> str:
        return f"recovery code #{self.id}"


class ConnectionLog(BaseModel):
    """One successful login: kept 12 months (CNIL), then purged by jobs.maintenance."""

    account = ForeignKeyField(Account, backref="connections", on_delete="CASCADE")
    at = DateTimeField(default=utcnow, index=True)
    ip = CharField(default="")
    device = CharField(default="")

    class Meta:
        indexes = ((("account", "at"), False),)

    def __str__(self) -> str:
        return f"{self.account_id} {self.at:%d/%m/%Y %H:%M}"


NOTIFY_CHOICES = (("email", "E-mail"), ("sms", "SMS"))


class AccountProfile(BaseModel):
    """What a parent typed at sign-up: used to create the household when joining a town."""

    account = ForeignKeyField(Account, unique=True, backref="profiles", on_delete="CASCADE")
    household_name = CharField(default="")
    civility = CharField(default="")
    first_name = CharField(default="")
    last_name = CharField(default="")
    phone = CharField(default="")
    phone2 = CharField(default="")
    notify_by = CharField(default="email")
    email_confirmed = BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PickupPerson(BaseModel):
    """Someone the household allows to collect its children (personne autorisée)."""

    household = ForeignKeyField(Household, backref="pickup_persons", on_delete="CASCADE")
    first_name = CharField()
    last_name = CharField()
    phone = CharField(default="")
    relation = CharField(default="")  # e.g. grand-mère, voisin

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class HouseholdChange(BaseModel):
    """Every change a parent (or staff, or anonymisation) made to a household's data."""

    household = ForeignKeyField(Household, backref="changes", on_delete="CASCADE")
    account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    at = DateTimeField(default=utcnow)
    subject = CharField()  # what was changed, in French: "Foyer", "Responsable Camille Martin"
    field = CharField()
    old_value = TextField(default="")
    new_value = TextField(default="")

    class Meta:
        indexes = ((("household", "at"), False),)

    def __str__(self) -> str:
        return f"{self.subject} – {self.field}"


class EnrolmentOffer(BaseModel):
    """A service at a site that parents may ask for online, with its enrolment capacity
    (None: no limit). Requests beyond it go to the waiting list, admitted in order."""

    service = ForeignKeyField(Service, backref="offers", on_delete="CASCADE")
    site = ForeignKeyField(Site, backref="offers", on_delete="CASCADE")
    capacity = IntegerField(null=True)
    open_online = BooleanField(default=True)

    class Meta:
        indexes = ((("service", "site"), True),)

    def __str__(self) -> str:
        return f"{self.service.name} – {self.site.name}"


class IdempotentReply(BaseModel):
    """The answer given to a request sent with an Idempotency-Key: a retry with the same key
    (after a timeout, a double tap) gets this answer again instead of acting twice. Written
    in the same transaction as what the request did; kept a day."""

    account = ForeignKeyField(Account, on_delete="CASCADE", index=False)
    key = CharField(max_length=255)
    fingerprint = CharField(max_length=64)  # SHA-256 of what was asked: a key used for
    status = IntegerField(default=0)  # something else is refused
    body = TextField(default="")
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("account", "key"), True),)

    def __str__(self) -> str:
        return f"{self.account_id}:{self.key}"
