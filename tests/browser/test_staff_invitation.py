"""A town's admin invites an approver in a real chromium; the approver opens the link of the
e-mail (sent by a real rq worker), chooses a password, enrols the second factor (the secret
read from the page, the code computed with pyotp) and accepts a pending line."""

from __future__ import annotations

import pyotp
import pytest

from models import Account, RequestLine

from .. import factories as f
from ..accounts.conftest import clear_outbox, link_in, mails_to
from ..admin.conftest import send
from ..conftest import run_worker
from .conftest import staff_log_in

pytestmark = pytest.mark.browser


def test_an_invited_approver_enrols_and_accepts_a_line(app, live_server, browser):
    clear_outbox(app)
    town = f.town("villea")
    h = f.household(town, "Martin", children=("Léa",), wednesday=True)
    [wednesday] = f.open_days(weekdays="3", n=1)
    [line_id] = send(town, h, "MERCREDI REPAS", [wednesday])
    admin = f.staff(town, "admin", email="maire@mairie.fr")

    page = browser.new_context().new_page()
    staff_log_in(page, live_server, admin.email, f.PASSWORD)
    page.goto(f"{live_server}/admin/agents/")
    page.get_by_label("Adresse e-mail de l'agent").fill("paul@mairie.fr")
    page.get_by_label("Instruction des demandes").check()
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.get_by_text("Invitation envoyée à paul@mairie.fr").wait_for()

    run_worker()
    link = link_in(mails_to(app, "paul@mairie.fr")[0], "/invitation/")
    paul = browser.new_context().new_page()
    paul.goto(link)
    paul.get_by_label("Nouveau mot de passe").fill("le marché du jeudi")
    paul.get_by_label("Confirmation du mot de passe").fill("le marché du jeudi")
    paul.get_by_role("button", name="Enregistrer le mot de passe").click()
    paul.wait_for_url(f"{live_server}/connexion")
    paul.get_by_label("Adresse e-mail").fill("paul@mairie.fr")
    paul.get_by_label("Mot de passe").fill("le marché du jeudi")
    paul.get_by_role("button", name="Se connecter").click()
    paul.wait_for_url(f"{live_server}/connexion/double-authentification")
    assert paul.locator("figure.qr svg").is_visible()  # the QR code, drawn in the page
    secret = paul.locator("#totp-secret").get_attribute("data-secret")
    paul.get_by_label("Code de vérification").fill(pyotp.TOTP(secret).now())
    paul.get_by_role("button", name="Activer").click()
    paul.get_by_role("heading", name="Vos codes de secours").wait_for()
    assert paul.locator("ul.recovery-codes li").count() == 10
    paul.get_by_role("link", name="Continuer").click()
    paul.wait_for_url(f"{live_server}/admin/")

    paul.get_by_role("link", name="Demandes à traiter").first.click()
    paul.get_by_label(f"Ligne {line_id}", exact=True).check()
    paul.get_by_role("button", name="Accepter").click()
    paul.get_by_text("1 ligne acceptée").wait_for()
    assert RequestLine.get_by_id(line_id).state == "accepted"
    assert Account.get(Account.email == "paul@mairie.fr").role_set == {"approver"}
