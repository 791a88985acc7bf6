"""The staff's changes: who changed what, when, the fields before and after, and why."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .db import BaseModel
from .families import Account, Town, utcnow


class AuditEntry(BaseModel):
    """One staff change (create, edit, delete on an admin screen...), written in the same
    transaction as the change. Rows are only ever inserted (workflows/audit.py)."""

    town = ForeignKeyField(Town, null=True, on_delete="CASCADE", index=False)
    account = ForeignKeyField(Account, null=True, on_delete="SET NULL", index=False)
    who = CharField(default="")  # the account's e-mail at the time (kept if it goes)
    at = DateTimeField(default=utcnow)
    action = CharField()  # create, edit, delete
    kind = CharField()  # the kind of object, in French: "Prestation"
    object_id = IntegerField(null=True)
    what = CharField()  # readable: "Prestation Repas"
    changes = TextField(default="{}")  # JSON {field: [before, after]}
    reason = TextField(default="")

    class Meta:
        indexes = ((("town", "at"), False), (("kind", "object_id"), False))

    def __str__(self) -> str:
        return f"{self.what} ({self.action})"
