"""The deadline reminders' pages: the choice in "Mon compte" and the one-click unsubscribe
of the e-mails (RFC 8058: the address in List-Unsubscribe answers a POST without login or
CSRF token; a GET shows a button, so a mail scanner following links stops nothing)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from web.extensions import csrf
from workflows import reminders

from ..auth import parent_required
from .blueprint import bp


@bp.route("/mon-compte/rappels", methods=["POST"])
@parent_required
def reminders_choice():
    on = request.form.get("rappels") == "oui"
    reminders.set_reminders(current_user.household.id, on)
    flash(
        "Vous recevrez un rappel avant la fin des réservations."
        if on
        else "Vous ne recevrez plus de rappels avant la fin des réservations.",
        "success",
    )
    return redirect(url_for("account.overview"))


@bp.route("/rappels/desabonnement/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    if request.method == "POST":
        household = reminders.unsubscribe(token)
    else:
        household = reminders.household_of_token(token)
    if household is None:
        abort(404)
    return render_template("account/unsubscribe.html", done=request.method == "POST", token=token)
