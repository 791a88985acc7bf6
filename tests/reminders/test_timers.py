"""Two timers enqueue the reminders at once, two real rq workers run them side by side:
each household hears once per deadline."""

from __future__ import annotations

import pytest
from peewee import fn

from jobs.reminders import remind_deadlines
from models import OutgoingMail
from models.reminders import ReminderSent
from workflows import reminders
from workflows.calendar import now as paris_now

from .. import factories as f
from ..jobs.workers import start_worker


def test_two_timers_and_two_workers_remind_once(app, queue):
    town = f.town()
    town.reminder_hours = 24 * 21
    town.save()
    households = [f.household(town, name=f"Famille{i}", children=("Léa", "Hugo")) for i in range(4)]
    if not reminders.candidate_cells(paris_now()):
        pytest.skip("no open day's deadline within three weeks of today (school holidays)")
    for _ in range(2):  # two timers
        queue.enqueue(remind_deadlines)
        queue.enqueue(remind_deadlines)
    workers = [start_worker() for _ in range(2)]
    for w in workers:
        assert w.wait(timeout=300) == 0
    claims = ReminderSent.select().count()
    assert claims > 0
    rows = OutgoingMail.select().where(OutgoingMail.kind == "deadline_reminder")
    assert rows.count() == claims
    per_household = dict(
        rows.select(OutgoingMail.recipients, fn.COUNT(OutgoingMail.id))
        .group_by(OutgoingMail.recipients)
        .tuples()
    )
    assert set(per_household) == {h._email for h in households}
    assert len(set(per_household.values())) == 1  # the same deadlines for every household
    assert reminders.remind("", paris_now()) == 0  # a third run finds them all claimed
