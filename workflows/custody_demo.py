"""The demo's shared child (garde alternée): the first child of the Bernard household
(famille01@demo.fr) also lives with the Roux household (garde@demo.fr / demo-garde), week
about from the Monday of the school year's first week, the Bernard household first; set
through the staff's operation once the past months are invoiced, from today."""

from __future__ import annotations

import datetime as dt

from models import Account, Child, Guardian, Household

from . import homes
from .accounts import actor_for
from .demo import create_household  # demo.create_demo imports this module when it runs

SECOND_HOME = ("garde@demo.fr", "demo-garde")


def create_custody_demo(town, today: dt.date, admin: Account, password_hash=None) -> None:
    first = (
        Household.select()
        .join(Guardian)
        .join(Account)
        .where(Household.town == town, Account.email == "famille01@demo.fr")
        .first()
    )
    if first is None:
        return
    child = Child.select().where(Child.household == first).order_by(Child.id).first()
    if child is None:
        return
    roux = create_household(
        town, "Roux", [], email=SECOND_HOME[0], password=SECOND_HOME[1], password_hash=password_hash
    )
    start = town._demo["start"]
    homes.set_pattern(
        actor_for(admin),
        child.id,
        roux.id,
        "weeks",
        today,
        start=start - dt.timedelta(days=start.weekday()),
    )
