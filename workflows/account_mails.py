"""The accounts' e-mails, written to the outbox (workflows.outbox) in the caller's
transaction, with the one-time link they carry: a Redis outage delays them (the outbox's
sender runs on the timer too), it never loses them. The web side calls these in the request
that asks for them, once its own changes are made."""

from __future__ import annotations

import logging

from models import Account, Guardian, Town, WorkflowHistory, transaction
from models.catalogue import Enrolment

from . import accounts, outbox, words

log = logging.getLogger(__name__)


def _link(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def reset_link(email: str, base_url: str, secret: str) -> bool:
    """For every e-mail typed in 'mot de passe oublié', known or not, an e-mail is written,
    so that both answers cost the same: a known active account gets a link, another address
    is told that it has no account here (and how to make one)."""
    email = accounts.normalise_email(email)
    account = Account.get_or_none(Account.email == email)
    if account is None or not account.is_active:
        log.info("reset asked for an unknown or inactive e-mail")
        with transaction():
            outbox.write(
                email,
                "Portail Famille – demande de nouveau mot de passe",
                "password_reset_unknown",
                link=_link(base_url, "/inscription"),
            )
        return False
    _link_mail(
        account,
        ("reset", secret, base_url, "/mot-de-passe/"),
        "Portail Famille – choisir un nouveau mot de passe",
        "password_reset",
        hours=1,
    )
    return True


def _link_mail(account: Account, link: tuple, subject: str, template: str, **values) -> None:
    """An e-mail carrying a one-time link: `link` is (purpose, secret, base URL, path)."""
    purpose, secret, base_url, path = link
    with transaction():
        token = accounts.issue_token(account, purpose, secret)
        outbox.write(
            account.email, subject, template, link=_link(base_url, f"{path}{token}"), **values
        )


def invitation(guardian_id: int, base_url: str, secret: str) -> bool:
    guardian = Guardian.get_or_none(Guardian.id == guardian_id)
    if guardian is None or guardian.account_id is None:
        return False
    account = Account.get_by_id(guardian.account_id)
    town = guardian.household.town
    values = {
        "town_name": town.name,
        "first_name": guardian.first_name,
        "contact_email": town.contact_email,
        "contact_phone": town.contact_phone,
        "days": 7,
    }
    with transaction():
        if account.is_active and account.password_hash != accounts.UNUSABLE:
            name, values["link"] = "town_joined", _link(base_url, "/connexion")
        else:
            token = accounts.issue_token(account, "invite", secret)
            name, values["link"] = "invitation", _link(base_url, f"/invitation/{token}")
        outbox.write(account.email, f"Votre espace famille – {town.name}", name, **values)
    return True


def confirmation(account_id: int, base_url: str, secret: str) -> bool:
    account = Account.get_or_none(Account.id == account_id)
    if account is None:
        return False
    _link_mail(
        account,
        ("confirm", secret, base_url, "/inscription/confirmer/"),
        "Portail Famille – confirmez votre adresse e-mail",
        "signup_confirm",
        days=7,
    )
    return True


def signup_existing(account_id: int, base_url: str) -> bool:
    """Someone signed up with an e-mail that already has an account: tell its owner (the
    page said the same as for a new e-mail)."""
    account = Account.get_or_none(Account.id == account_id)
    if account is None:
        return False
    outbox.write(
        account.email,
        "Portail Famille – vous avez déjà un compte",
        "signup_existing",
        link=_link(base_url, "/mot-de-passe-oublie"),
    )
    return True


def enrolment_decision(enrolment_id: int) -> int:
    """Tell the household's guardians with a login what became of an enrolment request."""
    enrolment = Enrolment.get_or_none(Enrolment.id == enrolment_id)
    if enrolment is None:
        return 0
    child = enrolment.child
    town = Town.get_by_id(child.household.town_id)
    to = [
        a.email
        for a in Account.select()
        .join(Guardian, on=(Guardian.account == Account.id))
        .where(Guardian.household == child.household_id, Account.is_active)
    ]
    last = (
        WorkflowHistory.select()
        .where(WorkflowHistory.workflow == "enrolment", WorkflowHistory.object_id == enrolment.id)
        .order_by(WorkflowHistory.id.desc())
        .first()
    )
    values = {
        "child": f"{child.first_name} {child.last_name}",
        "service": enrolment.service.name,
        "site": enrolment.site.name,
        "start": enrolment.start.strftime("%d/%m/%Y"),
        "end": enrolment.end.strftime("%d/%m/%Y"),
        "state": words.title("enrolment", enrolment.state),
        "reason": last.comment if last else "",
        "town_name": town.name,
    }
    if not to:
        return 0
    outbox.write(
        to,
        f"Demande d'inscription de {values['child']} : {values['state'].lower()}",
        "enrolment_decided",
        **values,
    )
    return len(to)
