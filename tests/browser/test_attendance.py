"""An animator ticks on a phone with the Wi-Fi down: the marks wait in the browser, are
sent once when the connection is back, and nothing is counted twice."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from models import AttendanceMark

from .. import factories as f
from ..billing.helpers import book
from .conftest import staff_log_in


def test_offline_marks_are_sent_once_when_back(app, live_server, browser):
    town = f.town()
    repas = f.unit(town)
    day = f.open_days(n=1)[0]
    lea = f.household(town, name="Martin").children[0]
    hugo = f.household(town, name="Durand").children[0]
    walk_in = f.household(town, name="Petit").children[0]
    book(lea, repas, [day])
    book(hugo, repas, [day])
    animator = f.staff(town, "animator")

    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    posts = []
    page.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/marques" in r.url else None,
    )
    staff_log_in(page, live_server, animator.email, f.PASSWORD)
    page.goto(f"{live_server}/admin/pointage/?unit={repas.id}&date={day.isoformat()}")
    sync = page.locator("#sync")
    assert sync.inner_text() == "Tout est envoyé."
    button = page.locator(f'li[data-child="{lea.id}"] button[data-status="present"]')
    assert button.bounding_box()["height"] >= 44  # a finger's target

    context.set_offline(True)
    button.click()
    page.locator(f'li[data-child="{hugo.id}"] button[data-status="justified"]').click()
    page.get_by_label("Présence non prévue").select_option(str(walk_in.id))
    page.get_by_role("button", name="Ajouter présent").click()
    assert re.match(r"3 pointage\(s\) en attente", sync.inner_text())
    assert AttendanceMark.select().count() == 0
    assert posts == []

    context.set_offline(False)
    expect(sync).to_have_text("Tout est envoyé.", timeout=10_000)
    marks = {m.child_id: (m.status, m.unplanned) for m in AttendanceMark.select()}
    assert marks == {
        lea.id: ("present", False),
        hugo.id: ("justified", False),
        walk_in.id: ("present", True),
    }
    assert len(posts) == 1  # replayed once

    page.reload()
    page.wait_for_timeout(500)
    assert len(posts) == 1  # nothing left to send
    assert AttendanceMark.select().count() == 3
    pressed = page.locator(f'li[data-child="{hugo.id}"] button[aria-pressed="true"]')
    assert pressed.inner_text() == "Absence justifiée"
    context.close()
