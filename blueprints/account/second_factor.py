"""« Double authentification » in Mon compte: a parent turns the second factor on (the QR
code, a first code, ten recovery codes shown once) or off; anyone who has it makes new
recovery codes. Each change asks for a current code (workflows/second_factor.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, login_user

from models import Account
from workflows import second_factor, sessions

from ..auth.limits import login_failed, second_factor_limited
from ..auth.login import LoginUser
from ..auth.second_factor import CodeForm, FirstCodeForm
from .blueprint import bp


def _page(form=None, off_form=None, codes_form=None):
    account = current_user.account
    values = {"account": account, "enrolled": second_factor.enrolled(account)}
    if values["enrolled"]:
        values["left"] = second_factor.recovery_codes_left(account)
        values["off_form"] = off_form or CodeForm(prefix="off")
        values["codes_form"] = codes_form or CodeForm(prefix="codes")
    else:
        secret = second_factor.pending_secret(account)
        values["qr"] = second_factor.qr_svg(second_factor.provisioning_uri(account, secret))
        values["secret"] = second_factor.grouped(secret)
        values["form"] = form or FirstCodeForm()
    return render_template("account/second_factor.html", **values)


@bp.route("/mon-compte/double-authentification", methods=["GET"])
@login_required
def second_factor_page():
    return _page()


@bp.route("/mon-compte/double-authentification/activer", methods=["POST"])
@login_required
@second_factor_limited
def second_factor_on():
    account = current_user.account
    form = FirstCodeForm()
    if second_factor.enrolled(account):
        return redirect(url_for(".second_factor_page"))
    if not form.validate_on_submit():
        return _page(form=form)
    codes = second_factor.confirm(account, form.code.data)
    if codes is None:
        login_failed()
        form.code.errors = [second_factor.MESSAGES_FR[second_factor.Check.WRONG]]
        return _page(form=form)
    # Other devices and API tokens were logged in without it: they end; this session has
    # just passed it.
    sid = session.get("sid")
    sessions.end_other_sessions(account, sid)
    Account.update(session_version=Account.session_version + 1).where(
        Account.id == account.id
    ).execute()
    second_factor.passed(sid)
    login_user(LoginUser(Account.get_by_id(account.id)))
    return render_template(
        "auth/recovery_codes.html", codes=codes, next_url=url_for(".second_factor_page")
    )


@bp.route("/mon-compte/double-authentification/desactiver", methods=["POST"])
@login_required
@second_factor_limited
def second_factor_off():
    account = current_user.account
    form = CodeForm(prefix="off")
    if account.is_staff or not second_factor.enrolled(account):
        flash("La double authentification est obligatoire pour les agents.", "error")
        return redirect(url_for(".second_factor_page"))
    if not form.validate_on_submit():
        return _page(off_form=form)
    result = second_factor.check(account, form.code.data)
    if result is not second_factor.Check.OK:
        login_failed()
        form.code.errors = [second_factor.MESSAGES_FR[result]]
        return _page(off_form=form)
    second_factor.disable(account)
    flash("La double authentification est désactivée.", "success")
    return redirect(url_for(".second_factor_page"))


@bp.route("/mon-compte/double-authentification/codes-de-secours", methods=["POST"])
@login_required
@second_factor_limited
def recovery_codes():
    account = current_user.account
    form = CodeForm(prefix="codes")
    if not second_factor.enrolled(account):
        return redirect(url_for(".second_factor_page"))
    if not form.validate_on_submit():
        return _page(codes_form=form)
    result = second_factor.check(account, form.code.data)
    if result is not second_factor.Check.OK:
        login_failed()
        form.code.errors = [second_factor.MESSAGES_FR[result]]
        return _page(codes_form=form)
    codes = second_factor.new_recovery_codes(account)
    return render_template(
        "auth/recovery_codes.html", codes=codes, next_url=url_for(".second_factor_page")
    )
