"""Requests, their lines, and the bookings they change (one row per child, unit, date)."""

from __future__ import annotations

from peewee import (
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .catalogue import Unit
from .db import BaseModel
from .families import Account, Child, Household, utcnow


class Request(BaseModel):
    """A numbered set of lines sent together for one child. Its number is its id."""

    household = ForeignKeyField(Household, backref="requests", on_delete="CASCADE")
    child = ForeignKeyField(Child, backref="requests", on_delete="CASCADE")
    state = CharField(default="basket")  # basket, sent, done, emptied
    summary = CharField(default="")  # accepted, partly_accepted, refused (when done)
    created_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    sent_by = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    period_start = DateField(null=True)
    period_end = DateField(null=True)
    notified_at = DateTimeField(null=True)  # when the household was told it was decided

    class Meta:
        indexes = ((("household", "state"), False),)

    @property
    def number(self) -> int:
        return self.id

    def __str__(self) -> str:
        return f"Demande n° {self.id}"


class RequestLine(BaseModel):
    request = ForeignKeyField(Request, backref="lines", on_delete="CASCADE")
    # No index of their own on child and unit: every line's change of state would pay for
    # them, and lines are reached by request, by id, or by the pending index below.
    child = ForeignKeyField(Child, on_delete="CASCADE", index=False)
    unit = ForeignKeyField(Unit, on_delete="CASCADE", index=False)
    date = DateField()
    action = CharField()  # book, cancel
    state = CharField(default="draft")  # draft, pending, accepted, queued, refused
    sent_at = DateTimeField(null=True)
    reason_code = CharField(default="")
    reason = TextField(default="")
    decided_at = DateTimeField(null=True)
    decided_by = ForeignKeyField(Account, null=True, on_delete="SET NULL", index=False)

    def __str__(self) -> str:
        return f"{self.action} {self.unit.code} {self.date:%d/%m/%Y}"


# The validator and the worklist read pending lines oldest first: a partial index keeps that
# read proportional to what is still pending, not to every line ever sent.
RequestLine.add_index(
    RequestLine.index(RequestLine.id, name="request_line_pending").where(
        RequestLine.state == "pending"
    )
)


class Booking(BaseModel):
    # child and unit are covered by the (child, unit, date) and (unit, date, state, child)
    # indexes. The second holds child too, so a day's or a week's meals of a site (the
    # kitchen's counts, the capacity checks) are read from the index alone, never the table.
    child = ForeignKeyField(Child, on_delete="CASCADE", index=False)
    unit = ForeignKeyField(Unit, on_delete="CASCADE", index=False)
    date = DateField()
    state = CharField(default="free")
    # The line that last moved this booking; a pending line owns its booking.
    line = ForeignKeyField(RequestLine, null=True, on_delete="SET NULL")
    rank = IntegerField(null=True)  # position on the waiting list
    refusal_code = CharField(default="")
    refusal_reason = TextField(default="")
    updated_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("child", "unit", "date"), True),
            (("unit", "date", "state", "child"), False),
            (("child", "date"), False),
        )

    def __str__(self) -> str:
        return f"{self.child} {self.unit.code} {self.date:%d/%m/%Y}: {self.state}"
