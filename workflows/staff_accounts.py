"""A town's staff accounts, run by its admins: invite a colleague by e-mail (a one-time link,
as for parents: workflows.accounts' tokens), with roles from the permission table;
deactivate an account (its sessions and API tokens end at once) or reactivate it; reset a
colleague's second factor (workflows.second_factor). Each change writes its audit row in
its transaction."""

from __future__ import annotations

from models import Account, Town, transaction, utcnow
from models.accounts import OneTimeToken

from . import audit, outbox, second_factor
from .accounts import UNUSABLE, AccountError, issue_token, normalise_email, valid_email
from .permissions import ROLE_LABELS, STAFF_ROLES
from .sessions import end_all_sessions

INVITE_DAYS = 7


def staff_of(town_id: int):
    return (
        Account.select()
        .where(Account.town == town_id, Account.is_staff)
        .order_by(Account.is_active.desc(), Account.email)
    )


def colleague(town_id: int, account_id: int) -> Account | None:
    """A staff account of the town (None for anyone else's)."""
    return Account.get_or_none(Account.id == account_id, Account.town == town_id, Account.is_staff)


def status(account: Account) -> str:
    if not account.is_active:
        return "Invitation envoyée" if account.password_hash == UNUSABLE else "Désactivé"
    return (
        "Actif" if second_factor.enrolled(account) else "Actif, double authentification à activer"
    )


def invite(
    admin: Account, town_id: int, email: str, roles: list[str], base_url: str, secret: str
) -> Account:
    """A new staff account of the town, waiting for its invitation (an e-mail with a link
    valid seven days, used once, to choose its password); its first sign-in enrols the
    second factor. Refused for an address that already has an account."""
    email = normalise_email(email)
    if not valid_email(email):
        raise AccountError("Cette adresse e-mail n'est pas valable.")
    chosen = [r for r in STAFF_ROLES if r in roles]
    if not chosen:
        raise AccountError("Cochez au moins un rôle.")
    if Account.select().where(Account.email == email).exists():
        raise AccountError(f"L'adresse {email} a déjà un compte sur le portail.")
    town = Town.get_by_id(town_id)
    with transaction():
        account = Account.create(
            email=email,
            password_hash=UNUSABLE,
            is_active=False,
            is_staff=True,
            roles=",".join(chosen),
            town=town_id,
        )
        audit.record(
            admin, town_id, "invite", audit.kind_of(Account), account, None, audit.snapshot(account)
        )
        token = issue_token(account, "invite", secret)
        outbox.write(
            email,
            f"Votre compte agent – Portail Famille de {town.name}",
            "staff_invitation",
            town_name=town.name,
            inviter=admin.email,
            roles=[ROLE_LABELS[r] for r in chosen],
            link=base_url.rstrip("/") + f"/invitation/{token}",
            days=INVITE_DAYS,
        )
    return account


def _refuse_self(admin: Account, account: Account, what: str) -> None:
    if admin.id == account.id:
        raise AccountError(
            f"Vous ne pouvez pas {what} votre propre compte : "
            "demandez-le à un autre administrateur."
        )


def deactivate(admin: Account, account: Account, reason: str = "") -> None:
    """The account can no longer log in: every session and API token of it ends now, and
    its unused links (an invitation, a reset) stop working."""
    _refuse_self(admin, account, "désactiver")
    before = audit.snapshot(account)
    with transaction():
        Account.update(is_active=False).where(Account.id == account.id).execute()
        account.is_active = False
        end_all_sessions(account)
        OneTimeToken.update(used_at=utcnow()).where(
            OneTimeToken.account == account.id, OneTimeToken.used_at.is_null()
        ).execute()
        audit.record(
            admin,
            account.town_id,
            "edit",
            audit.kind_of(Account),
            account,
            before,
            audit.snapshot(account),
            reason,
        )


def reactivate(admin: Account, account: Account) -> None:
    if account.password_hash == UNUSABLE:
        raise AccountError("Ce compte attend encore son invitation : il n'a pas de mot de passe.")
    before = audit.snapshot(account)
    with transaction():
        Account.update(is_active=True).where(Account.id == account.id).execute()
        account.is_active = True
        audit.record(
            admin,
            account.town_id,
            "edit",
            audit.kind_of(Account),
            account,
            before,
            audit.snapshot(account),
        )


def reset_second_factor(admin: Account, account: Account, reason: str = "") -> None:
    """A lost phone: the colleague's second factor goes, their sessions end, and their next
    sign-in enrols a new one (audited by second_factor.reset)."""
    _refuse_self(admin, account, "réinitialiser la double authentification de")
    second_factor.reset(admin, account, reason)
