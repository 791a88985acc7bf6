"""The demo of the staff's day: an animator's login, walk-in prices, and the next two weeks
of meals booked for the demo households (Martin's aside, which the parents' demo shows
as it is), sent and decided through the operations with the clock set two weeks back, so
the kitchen's counts and the attendance sheets have children on them."""

from __future__ import annotations

import datetime as dt

from models import Account, Child, Enrolment, Guardian, Household, Unit
from models.staff import WalkInPrice

from . import bookings, decisions
from .accounts import actor_for, hash_password
from .calendar import PARIS, unit_runs

ANIMATOR = ("animateur@demo.fr", "demo-animateur")
OPTIONS = ("sans porc", "", "végétarien", "", "sans viande", "")


def create_staff_demo(town, today: dt.date | None = None) -> None:
    today = today or dt.date.today()
    Account.create(
        email=ANIMATOR[0],
        password_hash=hash_password(ANIMATOR[1]),
        is_staff=True,
        roles="animator",
        town=town,
    )
    schools = town._demo["schools"]
    repas = {s.id: Unit.get(Unit.code == "REPAS", Unit.site == s) for s in schools}
    for unit in repas.values():
        WalkInPrice.create(unit=unit, amount_cents=600)
    some = next(iter(repas.values()))
    days = [
        today + dt.timedelta(days=i)
        for i in range(1, 15)
        if unit_runs(some.weekdays, some.holiday_unit, town.zone, today + dt.timedelta(days=i))
    ]
    back = dt.datetime.combine(today - dt.timedelta(days=14), dt.time(10, 0), tzinfo=PARIS)
    households = Household.select().where(Household.town == town, Household.name != "Martin")
    for n, h in enumerate(households):
        account = Account.get_by_id(Guardian.get(Guardian.household == h).account_id)
        specs = []
        for child in Child.select().where(Child.household == h):
            Child.update(meal_option=OPTIONS[(n + child.id) % len(OPTIONS)]).where(
                Child.id == child.id
            ).execute()
            enrolment = Enrolment.get_or_none(
                Enrolment.child == child, Enrolment.service == town._demo["canteen"]
            )
            if enrolment is None or enrolment.site_id not in repas:
                continue
            unit = repas[enrolment.site_id]
            lines = [
                (unit.id, d, "book") for d in days if str(d.isoweekday()) in enrolment.usual_days
            ]
            if lines:
                specs.append(bookings.RequestSpec(child.id, lines))
        if specs:
            bookings.submit(actor_for(account), specs, now=back)
    decisions.sweep(now=back)
