"""Staff set and change a shared child's custody pattern in the household file: the change
takes effect from a date, accepted bookings on days that change hands stay with the
household that made them until it cancels them, and both households are told by e-mail."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from models import AuditEntry, Booking, Child, OutgoingMail
from tests import factories as f
from workflows import bookings, decisions

from ..forms import post_form
from .helpers import days_of, monday_of


def _set(client, martin, lea, other, kind, effective, start=None):
    url = f"/admin/dossier-foyer/{martin.id}"
    data = {
        "other": other.id,
        "kind": kind,
        "effective": effective.isoformat(),
        "reason": "jugement du 12 novembre",
    }
    if start:
        data["start"] = start.isoformat()
    return html.unescape(
        post_form(
            client, url, data, action=f"{url}/garde/{lea.id}", follow_redirects=True
        ).get_data(as_text=True)
    )


def test_a_change_of_pattern_keeps_accepted_bookings_and_mails_both(auth, app):
    town = f.town()
    martin = f.household(town, "Martin", ("Léa",))
    durand = f.household(town, "Durand", ("Zoé",))
    lea = Child.get(Child.household == martin.id)
    days = f.open_days(n=12)
    start = monday_of(days[0])
    staff = auth.approver(town)
    page = _set(staff, martin, lea, durand, "weeks", dt.date.today(), start)
    assert "Garde alternée enregistrée" in page
    assert "Garde alternée avec le foyer Durand" in page
    assert OutgoingMail.select().where(OutgoingMail.kind == "custody_changed").count() == 2
    # Durand's file lists Léa as its second home
    durand_file = staff.get(f"/admin/dossier-foyer/{durand.id}").get_data(as_text=True)
    assert "Léa" in durand_file and "second foyer" in durand_file

    mine = days_of(martin, martin, durand, days, start)
    repas = f.unit(town).id
    bookings.submit(
        f.parent_actor(martin), [bookings.RequestSpec(lea.id, [(repas, mine[0], "book")])]
    )
    decisions.sweep()
    assert Booking.get(Booking.date == mine[0]).state == "booked"

    # The weeks swap from today: Martin's accepted day is now in a Durand week
    OutgoingMail.delete().execute()
    page = _set(staff, martin, lea, durand, "weeks", dt.date.today(), start + dt.timedelta(7))
    assert "1 réservation(s) acceptée(s) restent au foyer qui les a faites" in page
    to_martin = OutgoingMail.get(OutgoingMail.recipients == martin._email)
    to_durand = OutgoingMail.get(OutgoingMail.recipients == durand._email)
    for mail in (to_martin, to_durand):
        assert mail.kind == "custody_changed"
        assert mail.subject.startswith("Garde alternée de Léa : nouveau calendrier")
        assert "Jours qui passent chez vous" in mail.text
        assert "Jours qui passent chez l'autre parent" in mail.text
        assert "Durand" not in mail.text and "Martin" not in mail.text  # no other's details
    assert "Vos réservations déjà acceptées sur ces jours restent les vôtres" in to_martin.text
    assert "restent les vôtres" not in to_durand.text
    entries = list(AuditEntry.select().where(AuditEntry.kind == "Garde alternée"))
    assert len(entries) == 2
    assert {e.reason for e in entries} == {"jugement du 12 novembre"}
    assert entries[0].who.startswith("agent-")

    # The booking stays Martin's: Durand may not cancel it, Martin may
    with pytest.raises(bookings.RequestRefused) as refused:
        bookings.submit(
            f.parent_actor(durand), [bookings.RequestSpec(lea.id, [(repas, mine[0], "cancel")])]
        )
    assert refused.value.problems[0].code == "other_household_booking"
    bookings.submit(
        f.parent_actor(martin), [bookings.RequestSpec(lea.id, [(repas, mine[0], "cancel")])]
    )
    decisions.sweep()
    assert Booking.get(Booking.date == mine[0]).state == "free"
    # ... and once free, the day is Durand's to book, not Martin's
    with pytest.raises(bookings.RequestRefused):
        bookings.submit(
            f.parent_actor(martin), [bookings.RequestSpec(lea.id, [(repas, mine[0], "book")])]
        )
    bookings.submit(
        f.parent_actor(durand), [bookings.RequestSpec(lea.id, [(repas, mine[0], "book")])]
    )


def test_bad_patterns_are_refused_in_french(auth, app):
    town = f.town()
    martin = f.household(town, "Martin", ("Léa",))
    lea = Child.get(Child.household == martin.id)
    staff = auth.approver(town)
    tuesday = monday_of(dt.date.today()) + dt.timedelta(days=1)
    page = _set(staff, martin, lea, martin, "weeks", dt.date.today(), tuesday)
    assert "l'autre foyer doit être un autre foyer de la commune" in page
    other_town = f.household(f.town(), "Durand")
    page = _set(staff, martin, lea, other_town, "weeks", dt.date.today(), tuesday)
    assert "l'autre foyer doit être un autre foyer de la commune" in page
    durand = f.household(town, "Durand")
    page = _set(staff, martin, lea, durand, "weeks", dt.date.today(), tuesday)
    assert "la semaine alternée commence un lundi" in page
    assert OutgoingMail.select().count() == 0
    finance = auth.finance(town)
    url = f"/admin/dossier-foyer/{martin.id}"
    resp = post_form(
        finance,
        url,
        {"other": durand.id, "kind": "both", "effective": "2027-01-04"},
        action=f"{url}/garde/{lea.id}",
    )
    assert resp.status_code == 403


def test_the_pattern_in_each_households_words():
    from workflows.custody import Custody
    from workflows.homes import describe

    p = Custody(
        "handover",
        1,
        2,
        start=dt.date(2026, 8, 31),
        handover=3,
        effective_from=dt.date(2026, 9, 1),
    )
    assert describe(p, 1) == (
        "une semaine sur deux, avec un changement de foyer le mercredi ; chez vous à partir "
        "du mercredi 2 septembre 2026, puis une semaine sur deux"
    )
    assert describe(p, 2).endswith(
        "chez vous à partir du mardi 1er septembre 2026, puis une semaine sur deux"
    )
    weeks = Custody("weeks", 1, 2, start=dt.date(2026, 8, 31), effective_from=dt.date(2026, 9, 1))
    assert "chez vous à partir du lundi 7 septembre 2026" in describe(weeks, 2)
    periods = Custody("periods", 1, 2, periods=((dt.date(2027, 2, 8), dt.date(2027, 2, 19), 2),))
    assert describe(periods, 2) == "par périodes ; chez vous du 8 au 19 février 2027"
    assert describe(periods, 1) == "par périodes ; chez vous, sauf du 8 au 19 février 2027"
    assert describe(None, 1) == "l'enfant est rattaché à un seul foyer"


def test_staff_send_from_each_households_file_for_its_own_days(auth, app):
    from models import Request

    from ..forms import csrf_token
    from .helpers import shared_child

    town = f.town()
    days = f.open_days(n=12)
    start = monday_of(days[0])
    martin, durand, lea = shared_child(town, start=start)
    repas = f.unit(town).id
    mine = days_of(martin, martin, durand, days, start)
    theirs = days_of(durand, martin, durand, days, start)
    staff = auth.approver(town)
    url = f"/admin/dossier-foyer/{durand.id}"
    page = staff.get(url, query_string={"enfant": lea.id}).get_data(as_text=True)
    assert "Garde alternée avec le foyer Martin" in html.unescape(page)
    cells = staff.get(
        f"{url}/enfants/{lea.id}/planning.json",
        query_string={"from": days[0].isoformat(), "to": days[-1].isoformat()},
    ).json["cells"]
    marked = {c["date"] for c in cells if c["unit_id"] == repas and c["other_home"]}
    assert marked == {d.isoformat() for d in mine}

    def send(day):
        return staff.post(
            f"{url}/enfants/{lea.id}/reserver",
            json={"lines": [{"unit": repas, "date": day.isoformat(), "action": "book"}]},
            headers={"X-CSRFToken": csrf_token(page)},
        )

    refused = send(mine[0])
    assert refused.status_code == 422
    assert any("chez l'autre parent" in p for p in refused.json["problems"])
    sent = send(theirs[0])
    assert sent.json["ok"], sent.json
    (number,) = sent.json["numbers"]
    assert Request.get_by_id(number).household_id == durand.id
