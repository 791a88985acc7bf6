"""The four journeys in a real headless chromium against a real HTTP server, with mail sent
by a real rq worker into the outbox."""

from __future__ import annotations

import pytest

from models import Guardian, Household
from models.accounts import EnrolmentOffer
from models.catalogue import Enrolment
from workflows import households

from .. import factories as f
from ..browser.conftest import (  # noqa: F401 - fixtures
    browser,
    live_server,
    log_in,
    staff_log_in,
)
from ..conftest import run_worker
from .conftest import link_in, mails_to

pytestmark = pytest.mark.browser


def _household_without_login(town, email, children=()):
    h = Household.create(town=town, name="Moreau")
    Guardian.create(
        household=h, first_name="Camille", last_name="Moreau", email=email, is_reference=True
    )
    from models import Child

    for name in children:
        Child.create(household=h, first_name=name, last_name="Moreau", school="École A")
    return h


def test_invitation_link_password_login(app, live_server, browser):  # noqa: F811
    town = f.town("villea")
    h = _household_without_login(town, "invitee@exemple.fr")
    from workflows.account_mails import invitation

    guardian = Guardian.get(Guardian.household == h.id)
    households.invite_guardian(guardian)
    invitation(guardian.id, live_server, app.config["SECRET_KEY"])
    run_worker()
    link = link_in(mails_to(app, "invitee@exemple.fr")[0], "/invitation/")
    page = browser.new_page()
    page.goto(link)
    page.get_by_label("Nouveau mot de passe").fill("notre phrase de famille")
    page.get_by_label("Confirmation du mot de passe").fill("notre phrase de famille")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.wait_for_url(f"{live_server}/connexion")
    assert "Votre mot de passe est enregistré" in page.content()
    log_in(page, live_server, "invitee@exemple.fr", "notre phrase de famille")
    page.goto(f"{live_server}/ma-famille")
    assert "Ma famille – Moreau" in page.content()


def test_signup_adhesion_code_sees_the_towns_children(app, live_server, browser):  # noqa: F811
    town = f.town("villea")
    _household_without_login(town, "camille@exemple.fr", children=("Jade", "Noé"))
    page = browser.new_page()
    page.goto(f"{live_server}/connexion")
    page.get_by_role("link", name="Créer mon compte").click()
    page.get_by_label("Nom du foyer").fill("Moreau")
    page.get_by_label("Mme").check()
    page.get_by_label("Nom", exact=True).fill("Moreau")
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Adresse e-mail").fill("camille@exemple.fr")
    page.get_by_label("Téléphone principal").fill("06 12 34 56 78")
    page.get_by_label("Mot de passe", exact=True).fill("les cerises du jardin")
    page.get_by_label("Confirmation du mot de passe").fill("les cerises du jardin")
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_text("Un e-mail vient d'être envoyé").wait_for()
    run_worker()
    page.goto(link_in(mails_to(app, "camille@exemple.fr")[0], "/inscription/confirmer/"))
    page.get_by_role("button", name="Activer mon compte").click()
    page.get_by_label("Code d'adhésion").fill(town.adhesion_code)
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/ma-famille")
    content = page.content()
    assert "Jade" in content and "Noé" in content


def test_lost_password_outbox_new_password_login(app, live_server, browser):  # noqa: F811
    town = f.town("villea")
    h = f.household(town)
    page = browser.new_page()
    page.goto(f"{live_server}/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail").fill(h._email)
    page.get_by_role("button", name="Recevoir le lien").click()
    page.get_by_text("Si un compte existe pour cette adresse").wait_for()
    run_worker()
    page.goto(link_in(mails_to(app, h._email)[0], "/mot-de-passe/"))
    page.get_by_label("Nouveau mot de passe").fill("une toute nouvelle phrase")
    page.get_by_label("Confirmation du mot de passe").fill("une toute nouvelle phrase")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.wait_for_url(f"{live_server}/connexion")
    log_in(page, live_server, h._email, "une toute nouvelle phrase")


def test_enrolment_request_accepted_by_an_approver(app, live_server, browser):  # noqa: F811
    town = f.town("villea")
    d = town._demo
    EnrolmentOffer.create(service=d["wednesday"], site=d["leisure"], capacity=10)
    h = f.household(town, "Martin", children=("Léa",))
    f.staff(town, "approver", email="valideur@mairie.fr")
    parent = browser.new_context().new_page()
    log_in(parent, live_server, h._email, f.PASSWORD)
    parent.goto(f"{live_server}/mes-inscriptions/demande")
    parent.get_by_label("Service et structure").select_option(
        label="ALSH mercredi – Centre de loisirs Anim'action"
    )
    parent.get_by_label("Mercredi").check()
    parent.get_by_role("button", name="Envoyer la demande").click()
    parent.get_by_text("Votre demande d'inscription est envoyée").wait_for()
    assert "Demandée" in parent.content()

    staff = browser.new_context().new_page()
    staff_log_in(staff, live_server, "valideur@mairie.fr", f.PASSWORD)
    staff.goto(f"{live_server}/admin/demandes-inscription/")
    staff.get_by_label("Demande").first.check()
    staff.get_by_label("Décision").select_option("accept")
    staff.get_by_role("button", name="Appliquer").click()
    staff.get_by_text("1 demande(s) acceptée(s)").wait_for()
    assert Enrolment.get(
        Enrolment.state == "active",
        Enrolment.service == d["wednesday"].id,
        Enrolment.usual_days == "3",
        Enrolment.child == h.children[0].id,
    )
    parent.goto(f"{live_server}/mes-inscriptions")
    assert "Attestation (PDF)" in parent.content()
