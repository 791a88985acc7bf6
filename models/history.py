"""The history of every workflow transition: who, when, from, to, why."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .db import BaseModel
from .families import Account, utcnow


class WorkflowHistory(BaseModel):
    workflow = CharField()
    object_id = IntegerField()
    transition = CharField()
    from_state = CharField()
    to_state = CharField()
    actor = ForeignKeyField(Account, null=True, on_delete="SET NULL", index=False)
    role = CharField()
    at = DateTimeField(default=utcnow)
    comment = TextField(default="")
    line_id = IntegerField(null=True)  # the request line that caused it, for bookings

    class Meta:
        indexes = ((("workflow", "object_id"), False),)

    def __str__(self) -> str:
        return f"{self.workflow}#{self.object_id} {self.transition}"
