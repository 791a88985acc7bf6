"""The town's admin in a French browser: a closure's dates are the browser's own date input
(no "Su Mo Tu" picker), the list shows "lun. 4 janv. 2027"; the settings screen saves a
reminder window and never shows the payment secret back."""

from __future__ import annotations

from playwright.sync_api import expect

from models import Closure, Town

from .. import factories as f
from .conftest import staff_log_in


def test_the_admin_uses_date_inputs_and_the_settings_screen(app, live_server, browser):
    town = f.town()
    admin = f.staff(town, "admin")
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    staff_log_in(page, live_server, admin.email, f.PASSWORD)

    page.goto(f"{live_server}/admin/fermetures/new/")
    start = page.locator("#start")
    assert start.get_attribute("type") == "date"
    assert page.locator(".daterangepicker").count() == 0  # Flask-Admin's picker is not there
    start.fill("2027-01-04")
    page.locator("#end").fill("2027-01-04")
    page.get_by_label("Motif", exact=True).fill("Grève")
    page.locator("form.admin-form [type=submit]").first.click()
    page.wait_for_load_state()
    assert Closure.get().start.isoformat() == "2027-01-04"
    page.goto(f"{live_server}/admin/fermetures/")
    expect(page.locator("table.model-list")).to_contain_text("lun. 4 janv. 2027")

    page.goto(f"{live_server}/admin/reglages/")
    page.get_by_label("Rappel avant la fin d'un délai (heures)").fill("24")
    page.get_by_label("Prestataire de paiement en ligne").select_option("payfip_ws")
    page.get_by_label("Options du prestataire").fill("numcli = 000001")
    page.get_by_label("Secrets du prestataire").fill("hmac_key = tres-secret")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("body")).to_contain_text("Réglages enregistrés.")
    assert Town.get_by_id(town.id).reminder_hours == 24
    assert page.get_by_label("Secrets du prestataire").input_value() == ""
    assert "tres-secret" not in page.content()
    context.close()
