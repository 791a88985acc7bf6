"""An opening: limited places of one or several units of a service, for a period, given by
the town's rules and a verifiable draw at the close of a collection window, not by who
clicks first (workflows/openings.py, workflows/draw.py)."""

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

from .catalogue import Service, Unit
from .db import BaseModel
from .families import Child, Household, Town, utcnow

RULES = ("enrolled", "resident", "siblings", "situation")  # the draw comes after them


class Opening(BaseModel):
    town = ForeignKeyField(Town, backref="openings", on_delete="CASCADE")
    service = ForeignKeyField(Service, on_delete="CASCADE")
    label = CharField()
    start = DateField()  # the period whose days are asked for
    end = DateField()
    opens_at = DateTimeField()  # the collection window, naive UTC
    closes_at = DateTimeField()
    announce_at = DateTimeField(null=True)  # when the allocation is promised (words only)
    rules = CharField(default="enrolled,resident,siblings,situation")  # in the town's order
    seed = CharField(default="")  # 64 hex digits, drawn at the window's opening
    seed_hash = CharField(default="")  # SHA-256 of the seed, public from the opening
    state = CharField(default="draft")  # draft, collecting, allocated, published
    allocated_at = DateTimeField(null=True)
    published_at = DateTimeField(null=True)

    def __str__(self) -> str:
        return self.label

    @property
    def rule_list(self) -> list[str]:
        return [r for r in self.rules.split(",") if r in RULES]


class OpeningUnit(BaseModel):
    opening = ForeignKeyField(Opening, backref="units", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, on_delete="CASCADE")

    class Meta:
        indexes = ((("opening", "unit"), True),)


class OpeningRequest(BaseModel):
    """One child's request in an opening (the last word wins while the window is open).
    Its number is its id."""

    opening = ForeignKeyField(Opening, backref="requests", on_delete="CASCADE")
    household = ForeignKeyField(Household, on_delete="CASCADE")
    child = ForeignKeyField(Child, on_delete="CASCADE")
    unit = ForeignKeyField(Unit, on_delete="CASCADE")
    days = TextField(default="")  # ISO dates, comma separated
    together = BooleanField(default=False)  # the household's siblings: all or nothing
    resident = BooleanField(default=False)  # declared: lives in the town
    situation = BooleanField(default=False)  # declared: both parents working, single parent
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("opening", "child"), True),)

    @property
    def number(self) -> int:
        return self.id


class OpeningDecision(BaseModel):
    """The allocation of one asked day of one child: admitted, or waiting with its rank;
    `rule` is what decided it; `position` the request's place in the order."""

    opening = ForeignKeyField(Opening, backref="decisions", on_delete="CASCADE")
    request = ForeignKeyField(OpeningRequest, on_delete="CASCADE", index=False)
    child = ForeignKeyField(Child, on_delete="CASCADE", index=False)
    unit = ForeignKeyField(Unit, on_delete="CASCADE", index=False)
    date = DateField()
    outcome = CharField()  # admitted, waiting
    rule = CharField()
    rank = IntegerField(null=True)  # on the waiting list of (unit, date)
    position = IntegerField()

    class Meta:
        indexes = ((("opening", "child", "date"), True),)
