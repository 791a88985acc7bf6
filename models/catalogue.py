"""What a town offers: services, sites, bookable units, enrolments and closures."""

from __future__ import annotations

import datetime as dt

from peewee import (
    BooleanField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    TimeField,
)

from .db import BaseModel
from .families import Child, Town


class Service(BaseModel):
    town = ForeignKeyField(Town, backref="services", on_delete="CASCADE")
    name = CharField()

    def __str__(self) -> str:
        return self.name


class Site(BaseModel):
    town = ForeignKeyField(Town, backref="sites", on_delete="CASCADE")
    name = CharField()
    address = CharField(default="")

    def __str__(self) -> str:
        return self.name


APPROVAL_MODES = ("instant", "timer", "staff")
DEADLINE_UNITS = ("working_days", "calendar_days")


class Unit(BaseModel):
    """One bookable thing per day at a site (REPAS, PAI, GARDERIE 16H30...)."""

    service = ForeignKeyField(Service, backref="units", on_delete="CASCADE")
    site = ForeignKeyField(Site, backref="units", on_delete="CASCADE")
    code = CharField()
    label = CharField()
    weekdays = CharField(default="1245")  # ISO weekdays it runs on, 1 = Monday
    holiday_unit = BooleanField(default=False)  # runs only in school holidays (ALSH vacances)
    approval_mode = CharField(default="timer")
    book_count = IntegerField(default=3)
    book_unit = CharField(default="working_days")
    book_cutoff = TimeField(default=dt.time(9, 0))
    cancel_count = IntegerField(default=3)
    cancel_unit = CharField(default="working_days")
    cancel_cutoff = TimeField(default=dt.time(9, 0))
    capacity = IntegerField(null=True)  # None: no limit
    waiting_list = BooleanField(default=False)
    position = IntegerField(default=0)
    # Units of the same group exclude each other on a day: a child has one of them at most
    # (REPAS and PAI, the meal brought from home). "" for none.
    exclusive_group = CharField(default="")

    def __str__(self) -> str:
        return f"{self.label} – {self.site.name}"


class Enrolment(BaseModel):
    child = ForeignKeyField(Child, backref="enrolments", on_delete="CASCADE")
    service = ForeignKeyField(Service, backref="enrolments", on_delete="CASCADE")
    site = ForeignKeyField(Site, backref="enrolments", on_delete="CASCADE")
    start = DateField()
    end = DateField()
    usual_days = CharField(default="")  # ISO weekdays, e.g. "1245"
    state = CharField(default="active")

    class Meta:
        indexes = ((("child", "state"), False),)

    def __str__(self) -> str:
        return f"{self.child} – {self.service} ({self.start:%d/%m/%Y}–{self.end:%d/%m/%Y})"


class Closure(BaseModel):
    """A day or range the town closes (strike, trip, bridge day): for the whole town, one
    site, or one unit (the after-school club only)."""

    town = ForeignKeyField(Town, backref="closures", on_delete="CASCADE")
    site = ForeignKeyField(Site, null=True, backref="closures", on_delete="CASCADE")
    unit = ForeignKeyField(Unit, null=True, backref="closures", on_delete="CASCADE")
    start = DateField()
    end = DateField()
    reason = CharField(default="")

    def __str__(self) -> str:
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y} {self.reason}"


class SchoolYear(BaseModel):
    """A school year of the town, as the town sets it (the planning, the weekly template,
    the enrolments and the kitchen read it through workflows/school_years.py)."""

    town = ForeignKeyField(Town, backref="school_years", on_delete="CASCADE")
    start = DateField()
    end = DateField()

    class Meta:
        indexes = ((("town", "start"), True),)

    @property
    def label(self) -> str:
        return f"{self.start.year}-{self.end.year}"

    def __str__(self) -> str:
        return f"Année scolaire {self.label}"
