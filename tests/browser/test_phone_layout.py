"""Every parent page fits a phone: at 360 px wide nothing scrolls sideways (tables become
cards); and axe-core finds no critical or serious violation at 390 px and 1280 px."""

from __future__ import annotations

import pytest

from tests.billing.helpers import issued_invoice, staff_actor
from workflows import billing

from .conftest import log_in
from .test_content_flow import _serious

pytestmark = pytest.mark.browser


def _pages(invoice_id: int, child_id: int) -> list[str]:
    return [
        "/",
        f"/enfants/{child_id}/planning",
        "/panier",
        "/demandes",
        "/factures",
        f"/factures/{invoice_id}",
        "/paiements",
        "/mes-inscriptions",
        "/mon-compte",
        "/ma-famille",
        "/accessibilite",
    ]


def test_no_parent_page_scrolls_sideways_at_360_px_and_axe_finds_nothing_serious(
    app, live_server, browser
):
    from axe_playwright_python.sync_playwright import Axe

    town, h, invoice = issued_invoice(name="Martin-Lefèvre-Dupont")
    billing.record_offline_payment(
        staff_actor(town), h.id, "cheque", invoice.total_cents // 2, [invoice.id], "CHQ 1234567"
    )
    pages = _pages(invoice.id, h.children[0].id)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    log_in(page, live_server, h._email, "un-mot-de-passe-sûr")
    wide = {}
    for path in pages:
        answer = page.goto(live_server + path)
        assert answer.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide[path] = width
    assert wide == {}, "pages wider than the phone"

    # The month's cells are touch targets of at least 44 x 44 px, on the phone too.
    page.goto(f"{live_server}/enfants/{h.children[0].id}/planning")
    sizes = page.evaluate(
        "[...document.querySelectorAll('button.cell')].map(b => {"
        " const r = b.getBoundingClientRect();"
        " return [Math.round(r.width), Math.round(r.height)]; })"
    )
    assert sizes, "the month has cells"
    small = [s for s in sizes if s[0] < 44 or s[1] < 44]
    assert small == [], f"{len(small)} of {len(sizes)} cells under 44 x 44 px: {small[:5]}"

    # The billing pages' active filter is visible (weight and tick, not only a colour)
    # and its links are 44 px targets.
    page.goto(f"{live_server}/factures?etat=toutes")
    active = page.locator('.filters a[aria-current="page"]')
    assert active.evaluate("a => getComputedStyle(a).fontWeight") == "700"
    assert active.evaluate("a => getComputedStyle(a, '::before').content") == '"✓ "'
    assert all(
        b["height"] >= 44 for b in (a.bounding_box() for a in page.locator(".filters a").all())
    )

    axe = Axe()
    found = {}
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for path in pages:
            page.goto(live_server + path)
            serious = _serious(axe, page)
            if serious:
                found[(width, path)] = serious
    assert found == {}
    context.close()
