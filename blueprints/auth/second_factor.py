"""The second step of a login (workflows/second_factor.py): after the password, the code of
the authenticator application (or a recovery code), or, for a staff member who has none
yet, the enrolment (QR code, first code, ten recovery codes shown once).

Until this step passes, the session row has no `second_factor_at` and nobody is logged in:
no admin page, no parent page and no API answers the session (login.py's user loader
refuses it too). The pending login lasts PENDING_TTL."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from models import Account, utcnow
from models.accounts import AccountSession
from workflows import second_factor

from .limits import login_failed, second_factor_limited
from .login import PENDING, bp, finish_login, landing, safe_next

PENDING_TTL = dt.timedelta(minutes=10)
CODE_MISSING = "Indiquez le code affiché par votre application."
EXPIRED = "Votre connexion a expiré : saisissez à nouveau votre mot de passe."


class CodeForm(FlaskForm):
    code = StringField(
        "Code de vérification",
        validators=[DataRequired(CODE_MISSING), Length(max=20)],
        description=(
            "Les 6 chiffres affichés par votre application d'authentification "
            "(ou l'un de vos codes de secours)."
        ),
    )


class FirstCodeForm(FlaskForm):
    code = StringField(
        "Code de vérification",
        validators=[DataRequired(CODE_MISSING), Length(max=20)],
        description="Les 6 chiffres que votre application affiche maintenant pour ce compte.",
    )


def pending_account() -> Account | None:
    """The account whose password passed in this session and whose second factor is
    awaited; None when there is none (or it waited too long)."""
    account_id, sid = session.get(PENDING), session.get("sid")
    if not account_id or not sid:
        return None
    row = AccountSession.get_or_none(
        AccountSession.sid == sid, AccountSession.account == account_id
    )
    if row is None or utcnow() - row.created_at > PENDING_TTL:
        if row is not None:
            row.delete_instance()
        session.clear()
        return None
    account = Account.get_or_none(Account.id == account_id)
    return account if account is not None and account.is_active else None


def _restart():
    flash(EXPIRED, "info")
    return redirect(url_for("auth.login"))


def _done(account: Account):
    """The second factor passed: the session is marked and the login finished."""
    second_factor.passed(session["sid"])
    return finish_login(account)


@bp.route("/connexion/code", methods=["GET", "POST"], endpoint="second_factor")
@second_factor_limited
def second_factor_view():
    account = pending_account()
    if account is None:
        return _restart()
    target = safe_next(request.args.get("next", ""))
    if not second_factor.enrolled(account):
        return redirect(url_for("auth.enrol", next=target))
    form = CodeForm()
    if form.validate_on_submit():
        result = second_factor.check(account, form.code.data)
        if result is second_factor.Check.OK:
            user = _done(account)
            return redirect(target or landing(user))
        login_failed()
        form.code.errors = [second_factor.MESSAGES_FR[result]]
    return render_template("auth/second_factor.html", form=form)


@bp.route("/connexion/double-authentification", methods=["GET", "POST"])
@second_factor_limited
def enrol():
    """A staff member's first sign-in (or the first after an admin's reset)."""
    account = pending_account()
    if account is None:
        return _restart()
    target = safe_next(request.args.get("next", ""))
    if second_factor.enrolled(account):
        return redirect(url_for("auth.second_factor", next=target))
    secret = second_factor.pending_secret(account)
    form = FirstCodeForm()
    if form.validate_on_submit():
        codes = second_factor.confirm(account, form.code.data)
        if codes is not None:
            user = _done(account)
            return render_template(
                "auth/recovery_codes.html", codes=codes, next_url=target or landing(user)
            )
        login_failed()
        form.code.errors = [second_factor.MESSAGES_FR[second_factor.Check.WRONG]]
    uri = second_factor.provisioning_uri(account, secret)
    return render_template(
        "auth/enrol.html",
        form=form,
        qr=second_factor.qr_svg(uri),
        secret=second_factor.grouped(secret),
        mandatory=account.is_staff,
    )
