"""Reminders before a booking deadline closes (one claimed row per household and deadline)
and the households' private addresses (the unsubscribe link, the calendar feeds)."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField

from .db import BaseModel
from .families import Child, Household, utcnow


class ReminderSent(BaseModel):
    """A household was reminded of the deadline `deadline` (naive UTC): the unique key is
    the claim, so two timers or workers never remind twice."""

    household = ForeignKeyField(Household, on_delete="CASCADE", index=False)
    deadline = DateTimeField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("household", "deadline"), True),)


class PrivateAddress(BaseModel):
    """A long random token naming a household's address that works without login:
    purpose 'unsubscribe' (the reminders' one-click link) or 'calendar' (a feed, for one
    child or, child empty, all of them). Regenerating deletes the row: the old token is
    then unknown (404)."""

    household = ForeignKeyField(Household, on_delete="CASCADE")
    purpose = CharField(max_length=20)
    child = ForeignKeyField(Child, null=True, on_delete="CASCADE", index=False)
    token = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
