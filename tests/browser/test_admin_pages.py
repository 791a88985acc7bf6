"""The admin's pages people use all day pass axe-core (no critical or serious violation):
the home, the approvers' worklist with a line to decide, a catalogue form, the journal and
the jobs screen; an approver decides a line in the browser."""

from __future__ import annotations

import pytest

from models import Booking, Site, Unit

from .. import factories as f
from ..admin.conftest import send
from .test_content_flow import _serious, _staff_log_in

pytestmark = pytest.mark.browser


def test_the_admins_pages_pass_axe_and_an_approver_accepts_a_line(app, live_server, browser):
    from axe_playwright_python.sync_playwright import Axe

    town = f.town("villea")
    h = f.household(town, "Dupuis", children=("Zoé",), wednesday=True)
    send(town, h, "MERCREDI REPAS", f.open_days(weekdays="3", n=1))
    admin = f.staff(town, "admin")
    unit = Unit.select().join(Site).where(Site.town == town).first()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _staff_log_in(page, live_server, admin.email)
    axe = Axe()
    found = {}
    for path in (
        "/admin/",
        "/admin/demandes-a-traiter/",
        f"/admin/prestations/edit/?id={unit.id}",
        "/admin/journal-commune/",
        "/admin/travaux/",
    ):
        answer = page.goto(live_server + path)
        assert answer.status == 200, path
        serious = _serious(axe, page)
        if serious:
            found[path] = serious
    assert found == {}, found

    page.goto(f"{live_server}/admin/demandes-a-traiter/")
    page.locator('input[name="line"]').first.check()
    page.get_by_role("button", name="Accepter").click()
    page.wait_for_load_state()
    assert Booking.get().state == "booked"
    context.close()
