"""What the staff's day adds: the API tokens of the town's software (the catering's)."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField

from .db import BaseModel
from .families import Account, Town, utcnow

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
