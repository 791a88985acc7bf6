"""Reminders before a booking deadline closes, with a fixed clock (school year 2026-2027,
zone A: the REPAS deadline is 3 working days before at 9h00, the care's 2)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path

from models import Closure, Enrolment, Household, OutgoingMail
from models.reminders import ReminderSent
from workflows import bookings, reminders
from workflows.calendar import PARIS

from .. import factories as f
from ..conftest import run_worker


def at(y, m, d, hour=8) -> dt.datetime:
    return dt.datetime(y, m, d, hour, 0, tzinfo=PARIS)


def a_town(hours: int = 2):
    town = f.town(today=dt.date(2027, 1, 1))
    town.reminder_hours = hours
    town.save()
    return town


def remind(now):
    return reminders.remind("http://portail.test", now=now)


def mails(kind="deadline_reminder"):
    return list(OutgoingMail.select().where(OutgoingMail.kind == kind).order_by(OutgoingMail.id))


def test_one_mail_per_household_and_deadline_lists_every_child_and_day(app):
    town = a_town()
    h = f.household(town, children=("Léa", "Hugo"))
    other = f.household(town, name="Durand")
    # Wednesday 6 January, 8h00: the 9h00 deadline closes Monday 11's meal and Friday 8's care
    assert remind(now=at(2027, 1, 6)) == 2
    (mine,) = [m for m in mails() if m.recipients == h._email]
    assert mine.subject == "Rappel : réservez avant le mercredi 6 janvier à 9h00"
    for name in ("Léa", "Hugo"):
        assert (
            f"La semaine du 11 janvier n'est pas réservée pour {name} : "
            "réservez avant le mercredi 6 janvier à 9h00" in mine.text
        )
        assert f"La semaine du 4 janvier n'est pas réservée pour {name}" in mine.text
    assert "- lundi 11 janvier 2027 : Repas" in mine.text
    assert "- vendredi 8 janvier 2027 : Garderie du matin" in mine.text
    assert "PAI" not in mine.text  # REPAS stands for its exclusive group
    lea = h.children[0]
    assert f"/enfants/{lea.id}/planning?vue=semaine&date=2027-01-11" in mine.text
    assert "/rappels/desabonnement/" in mine.text
    assert any(m.recipients == other._email for m in mails())
    # never twice for the same deadline
    assert remind(now=at(2027, 1, 6, 8)) == 0
    assert ReminderSent.select().count() == 2


def test_booked_or_requested_days_and_unusual_days_are_not_reminded(app):
    town = a_town()
    h = f.household(town)
    child = h.children[0]
    bookings.submit(
        f.parent_actor(h),
        [
            bookings.RequestSpec(
                child.id, [(f.unit(town, "REPAS").id, dt.date(2027, 1, 11), "book")]
            )
        ],
    )
    (Enrolment.update(usual_days="124").where(Enrolment.service == town._demo["care"]).execute())
    assert remind(now=at(2027, 1, 6)) == 0  # Friday is not a care day, Monday asked


def test_everything_booked_means_no_mail(app):
    town = a_town()
    h = f.household(town)
    child = h.children[0]
    lines = [(f.unit(town, "PAI").id, dt.date(2027, 1, 11), "book")]  # PAI holds the meal
    lines += [
        (f.unit(town, code).id, dt.date(2027, 1, 8), "book")
        for code in ("GARDERIE MATIN", "GARDERIE 16H30-18H30")
    ]
    bookings.submit(f.parent_actor(h), [bookings.RequestSpec(child.id, lines)])
    assert remind(now=at(2027, 1, 6)) == 0


def test_a_week_with_a_public_holiday(app):
    town = a_town()
    h = f.household(town)
    # Whit Monday 17 May 2027: Tuesday 18's meal closes Wednesday 12 (not Thursday 13)
    assert remind(now=at(2027, 5, 12)) == 1
    (mail,) = mails()
    assert mail.recipients == h._email
    assert "- mardi 18 mai 2027 : Repas" in mail.text
    assert "lundi 17 mai" not in mail.text
    assert "- vendredi 14 mai 2027 : Garderie du matin" in mail.text


def test_no_reminder_of_school_holidays_nor_closures(app):
    town = a_town(hours=48)
    f.household(town)
    assert remind(now=at(2026, 12, 21)) == 0  # Christmas holidays
    town.reminder_hours = 2
    town.save()
    Closure.create(town=town, start=dt.date(2027, 1, 11), end=dt.date(2027, 1, 11), reason="Grève")
    assert remind(now=at(2027, 1, 6)) == 1
    (mail,) = mails()
    assert "11 janvier" not in mail.text and "vendredi 8 janvier" in mail.text


def test_an_unsubscribed_household_is_not_reminded(app):
    town = a_town()
    h = f.household(town)
    reminders.set_reminders(h.id, False)
    assert remind(now=at(2027, 1, 6)) == 0


def _outbox(app):
    folder = Path(app.config["INSTANCE_PATH"]) / "outbox"
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def test_one_click_unsubscribe_rfc_8058(app, client, queue):
    for p in (Path(app.config["INSTANCE_PATH"]) / "outbox").glob("*.eml"):
        p.unlink()
    town = a_town()
    h = f.household(town)
    assert remind(now=at(2027, 1, 6)) == 1
    run_worker()  # the outbox's delivery
    (msg,) = [m for m in _outbox(app) if m["Subject"].startswith("Rappel")]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = msg["List-Unsubscribe"].strip("<>")
    path = url[url.index("/rappels/") :]
    assert path in msg.get_body(("plain",)).get_content()
    page = client.get(path)  # a GET (a mail scanner) only shows the button
    assert page.status_code == 200 and "Ne plus recevoir ces rappels" in page.get_data(True)
    assert Household.get_by_id(h.id).reminders is True
    answer = client.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert "vous ne recevrez plus ces rappels" in answer.get_data(True)
    assert Household.get_by_id(h.id).reminders is False
    assert client.post("/rappels/desabonnement/pas-un-jeton").status_code == 404
    assert remind(now=at(2027, 1, 7)) == 0


def test_mon_compte_stops_and_restarts_reminders(app, auth):
    from ..forms import post_form

    town = a_town()
    h = f.household(town)
    client = auth.parent(h)
    page = client.get("/mon-compte").get_data(True)
    assert "Ne plus recevoir de rappels" in page  # on by default
    answer = post_form(
        client,
        "/mon-compte",
        {"rappels": "non"},
        action="/mon-compte/rappels",
        follow_redirects=True,
    )
    assert "Vous ne recevrez plus de rappels" in answer.get_data(True)
    assert Household.get_by_id(h.id).reminders is False
    post_form(client, "/mon-compte", {"rappels": "oui"}, action="/mon-compte/rappels")
    assert Household.get_by_id(h.id).reminders is True
