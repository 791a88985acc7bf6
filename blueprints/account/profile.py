"""Mon compte: quotient familial, the town's contact, password change, connection history,
data download, and the towns the account belongs to (join with a code, switch)."""

from __future__ import annotations

import datetime as dt
import json

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from web import inputs
from workflows import accounts, households, privacy, sessions
from workflows.calendar import PARIS, from_utc_naive

from ..auth import parent_required, password_field
from ..auth.limits import current_account_key, limiter, setting
from .blueprint import bp
from .calendar import calendar_addresses


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField(
        "Ancien mot de passe",
        validators=[
            DataRequired("Indiquez votre mot de passe actuel."),
            Length(max=accounts.MAX_PASSWORD),
        ],
    )
    password = password_field()
    confirm = PasswordField(
        "Confirmation du nouveau mot de passe",
        validators=[
            DataRequired("Confirmez le nouveau mot de passe."),
            EqualTo("password", "Les deux mots de passe ne sont pas identiques."),
        ],
    )


class JoinForm(FlaskForm):
    code = StringField(
        "Code d'adhésion", validators=[DataRequired("Indiquez le code d'adhésion."), Length(max=40)]
    )


class SwitchForm(FlaskForm):
    household = HiddenField()


class PlainForm(FlaskForm):
    pass


@bp.route("/mon-compte")
@parent_required
def overview():
    h = current_user.household
    return render_template(
        "account/overview.html",
        household=h,
        town=h.town,
        households=accounts.households_of(current_user.account),
        switch_form=SwitchForm(),
        plain_form=PlainForm(),
        calendars=calendar_addresses(h.id),
    )


@bp.route("/mon-compte/mot-de-passe", methods=["GET", "POST"])
@login_required
@limiter.limit(
    setting("RATELIMIT_LOGIN_ACCOUNT"),
    key_func=current_account_key,
    methods=["POST"],
    scope="password-change",
)
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user.account,
                form.old_password.data,
                form.password.data,
                keep_sid=session.get("sid"),
            )
        except accounts.AccountError as exc:
            target = form.old_password if "ancien" in str(exc).lower() else form.password
            target.errors = [str(exc)]
        else:
            flash("Votre mot de passe est changé. Vos autres sessions ont été fermées.", "success")
            return redirect(
                url_for("account.overview") if current_user.household else url_for("account.join")
            )
    return render_template("account/password.html", form=form)


def _period(view: str, anchor: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """[start, end) of the week or month holding `anchor`, and the previous/next anchors."""
    if view == "semaine":
        start = anchor - dt.timedelta(days=anchor.weekday())
        end = start + dt.timedelta(days=7)
        return start, end, start - dt.timedelta(days=7), end
    start = anchor.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    prev = (start - dt.timedelta(days=1)).replace(day=1)
    return start, end, prev, end


def _paris_midnight_utc(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(0, 0), tzinfo=PARIS)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


@bp.route("/mon-compte/historique")
@parent_required
def history():
    view = request.args.get("vue", "mois")
    if view not in ("semaine", "mois"):
        view = "mois"
    anchor = inputs.day(request.args.get("date")) or dt.datetime.now(PARIS).date()
    start, end, prev, nxt = _period(view, anchor)
    rows = [
        {"at": from_utc_naive(c.at).astimezone(PARIS), "device": c.device, "ip": c.ip}
        for c in sessions.connections(
            current_user.account, _paris_midnight_utc(start), _paris_midnight_utc(end)
        )
    ]
    return render_template(
        "account/history.html",
        rows=rows,
        view=view,
        start=start,
        last=end - dt.timedelta(days=1),
        prev=prev,
        next=nxt,
    )


@bp.route("/mon-compte/mes-donnees")
@parent_required
def data_export():
    data = privacy.export_household(current_user.household, current_user.account)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    name = f"portail-famille-mes-donnees-{dt.date.today().isoformat()}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/mon-compte/collectivites/adherer", methods=["GET", "POST"])
@login_required
@limiter.limit(
    setting("RATELIMIT_ADHESION_ACCOUNT"),
    key_func=current_account_key,
    methods=["POST"],
    scope="adhesion",
)
def join():
    if current_user.is_staff:
        abort(403)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            household = households.join_town(current_user.account, form.code.data)
        except accounts.AccountError as exc:
            form.code.errors = [str(exc)]
        else:
            session["household_id"] = household.id
            flash(f"Vous avez adhéré à {household.town.name}.", "success")
            return redirect(url_for("portal.home"))
    return render_template(
        "account/join.html", form=form, households=accounts.households_of(current_user.account)
    )


@bp.route("/mon-compte/collectivites/changer", methods=["POST"])
@login_required
def switch():
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        household_id = int(form.household.data or "")
    except ValueError:
        abort(400)
    mine = {h.id: h for h in accounts.households_of(current_user.account)}
    if household_id not in mine:
        abort(404)
    session["household_id"] = household_id
    flash(f"Vous êtes maintenant dans l'espace de {mine[household_id].town.name}.", "success")
    return redirect(url_for("portal.home"))
