"""What the staff's day adds: the API tokens of the town's software (the catering's), the
attendance marks and the walk-in prices."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .catalogue import Unit
from .db import BaseModel
from .families import Account, Child, Household, Town, utcnow

STAFF_TOKEN_SCOPES = {"meal-counts": "Effectifs repas (lecture)"}


class StaffApiToken(BaseModel):
    """A token an admin made for a town's software: one scope, an expiry, revocable. Only
    the token's SHA-256 is stored (the token is shown once, when made)."""

    town = ForeignKeyField(Town, on_delete="CASCADE")
    name = CharField()
    scope = CharField()
    token_hash = CharField(unique=True)
    prefix = CharField()  # the first characters, to recognise it in the list
    created_by = ForeignKeyField(Account, null=True, on_delete="SET NULL", index=False)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    revoked_at = DateTimeField(null=True)
    last_used_at = DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


ATTENDANCE_STATUSES = ("present", "absent", "justified")


class AttendanceMark(BaseModel):
    """What an animator ticked for a child, a unit and a day: present, absent, or absence
    justified; `unplanned` for a child who came without a booking. One row per (child,
    unit, date), whatever the tablets sent; `mark_id` is the id the browser gave the last
    mark, so the same mark sent again changes nothing."""

    town = ForeignKeyField(Town, on_delete="CASCADE")
    child = ForeignKeyField(Child, on_delete="CASCADE", index=False)
    unit = ForeignKeyField(Unit, on_delete="CASCADE", index=False)
    date = DateField()
    status = CharField()
    unplanned = BooleanField(default=False)
    mark_id = CharField(max_length=64)
    recorded_by = ForeignKeyField(Account, null=True, on_delete="SET NULL", index=False)
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("child", "unit", "date"), True),
            (("unit", "date"), False),
            (("town", "date"), False),
        )


class WalkInPrice(BaseModel):
    """The price of an unplanned presence on a unit (a child who came without a booking);
    without one, the unit's usual price applies."""

    unit = ForeignKeyField(Unit, unique=True, on_delete="CASCADE")
    amount_cents = IntegerField()


class HouseholdMessage(BaseModel):
    """A message staff wrote to households (a site, a unit, a day, a class): one row per
    household, shown in its « Mes messages »; the e-mail goes through the outbox."""

    town = ForeignKeyField(Town, on_delete="CASCADE")
    household = ForeignKeyField(Household, on_delete="CASCADE")
    subject = CharField()
    body = TextField()
    audience = CharField(default="")  # to whom, in French: "École Jean Moulin, classe CE1"
    sent_by = ForeignKeyField(Account, null=True, on_delete="SET NULL", index=False)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("household", "created_at"), False),)
