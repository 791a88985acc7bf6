"""The town's school years: made on their screen (bad dates refused in French beside the
field), and read by the planning, the weekly template, the enrolments and the kitchen."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from blueprints.portal.selection import weekly_template
from models import AuditEntry, SchoolYear
from workflows import enrolments, kitchen, school_years
from workflows.calendar import PARIS
from workflows.planning import planning

from .. import factories as f
from ..forms import csrf_token

URL = "/admin/annees-scolaires/"
AUGUST = dt.datetime(2026, 8, 17, 10, 0, tzinfo=PARIS)  # every September deadline ahead


def post(client, url, data):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def town_2sept(app):
    """A town whose school year 2026-2027 starts on Wednesday 2 September (not the 1st)."""
    town = f.town("deuxsept", today=dt.date(2026, 11, 23))
    SchoolYear.update(start=dt.date(2026, 9, 2)).where(
        SchoolYear.town == town, SchoolYear.start == dt.date(2026, 9, 1)
    ).execute()
    return town


def test_demo_towns_have_the_current_and_next_years(app):
    town = f.town(today=dt.date(2026, 11, 23))
    assert [y.label for y in town.school_years.order_by(SchoolYear.start)] == [
        "2026-2027",
        "2027-2028",
    ]


def test_the_planning_follows_the_town_s_first_day(town_2sept):
    h = f.household(town_2sept)
    child = h.children[0]
    cells = {
        c.date: c
        for c in planning(child.id, dt.date(2026, 9, 1), dt.date(2026, 9, 4), now=AUGUST)
        if c.unit.code == "REPAS"
    }
    tuesday, thursday = cells[dt.date(2026, 9, 1)], cells[dt.date(2026, 9, 3)]
    assert (tuesday.state, tuesday.reason_code) == ("closed", "outside_school_year")
    assert thursday.state == "free" and "request" in thursday.allowed

    # the kitchen and the one answer agree
    assert school_years.year_of(town_2sept.id, dt.date(2026, 9, 1)) is None
    assert school_years.year_of(town_2sept.id, dt.date(2026, 9, 2)) == (
        dt.date(2026, 9, 2),
        dt.date(2027, 7, 4),
    )
    with pytest.raises(kitchen.KitchenError) as e:
        kitchen.check_period(dt.date(2026, 9, 1), dt.date(2026, 9, 1), town_2sept.id)
    assert "2 septembre 2026" in e.value.message_fr
    kitchen.check_period(dt.date(2026, 9, 2), dt.date(2026, 9, 4), town_2sept.id)


def test_the_weekly_template_adds_nothing_before_the_first_day(app, school_days):
    """A year that starts on the second of two school days ahead: the template fills only
    that one (whatever the clock says)."""
    town = f.town()
    h = f.household(town)
    first, second = school_days
    SchoolYear.delete().where(SchoolYear.town == town).execute()
    SchoolYear.create(town=town, start=second, end=second + dt.timedelta(days=300))
    repas = f.unit(town, "REPAS")
    lines = weekly_template(h.children[0].id, first, second, {repas.id: {1, 2, 3, 4, 5}})
    assert lines == [(repas.id, second, "book")]


def test_a_town_without_years_keeps_the_computed_year(app):
    town = f.town(today=dt.date(2026, 11, 23))
    SchoolYear.delete().where(SchoolYear.town == town).execute()
    assert school_years.year_of(town.id, dt.date(2026, 9, 1)) == (
        dt.date(2026, 9, 1),
        dt.date(2027, 7, 4),
    )
    assert enrolments.school_years(town.id, dt.date(2026, 11, 23)) == [
        (dt.date(2026, 9, 1), dt.date(2027, 7, 4)),
        (dt.date(2027, 9, 1), dt.date(2028, 7, 4)),
    ]


def test_enrolments_offer_the_town_s_years(town_2sept):
    years = enrolments.school_years(town_2sept.id, dt.date(2026, 11, 23))
    assert years[0] == (dt.date(2026, 9, 2), dt.date(2027, 7, 4))


def test_the_admin_makes_a_year_and_bad_dates_are_refused(auth, town_a):
    client = auth.admin(town_a)
    page = client.get(URL).get_data(as_text=True)
    assert "2026-2027" in page or "2025-2026" in page

    def refused(start, end) -> str:
        response = post(client, f"{URL}new/", {"start": start, "end": end})
        assert response.status_code == 200
        return html.unescape(response.get_data(as_text=True))

    years = list(town_a.school_years.order_by(SchoolYear.start))
    last = years[-1]
    overlap = last.start + dt.timedelta(days=30)
    page = refused(overlap.isoformat(), (overlap + dt.timedelta(days=300)).isoformat())
    assert f"chevauchent l'année scolaire {last.label}" in page
    assert "La fin de l'année scolaire doit suivre son début" in refused("2040-09-01", "2040-08-01")
    assert "au plus 14 mois" in refused("2040-09-01", "2042-07-04")
    assert SchoolYear.select().where(SchoolYear.town == town_a).count() == len(years)

    response = post(client, f"{URL}new/", {"start": "2040-09-02", "end": "2041-07-03"})
    assert response.status_code == 302
    year = SchoolYear.get(SchoolYear.town == town_a, SchoolYear.start == dt.date(2040, 9, 2))
    assert year.label == "2040-2041"
    assert AuditEntry.get(AuditEntry.kind == "Année scolaire").action == "create"
    listing = client.get(URL).get_data(as_text=True)
    assert "2040-2041" in listing and "dim. 2 sept. 2040" in listing

    # editing a year into itself is no overlap
    response = post(
        client, f"{URL}edit/?id={year.id}", {"start": "2040-09-03", "end": "2041-07-03"}
    )
    assert response.status_code == 302


def test_only_the_admin_opens_the_school_years(auth, town_a):
    assert auth.approver(town_a).get(URL).status_code == 403
