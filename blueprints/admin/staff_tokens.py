"""« Jetons d'API agents »: a town's admin makes a token for its software (a name, a scope,
a validity), sees it once, and revokes it."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from models.staff import STAFF_TOKEN_SCOPES
from workflows import staff_tokens

from .security import AdminForm, StaffOnly, town_id


class TokenForm(AdminForm):
    name = StringField("Nom (logiciel, prestataire)", validators=[DataRequired(), Length(max=100)])
    scope = SelectField("Droit", choices=list(STAFF_TOKEN_SCOPES.items()))
    days = IntegerField(
        "Validité (jours)", default=90, validators=[DataRequired(), NumberRange(1, 366)]
    )


class StaffTokenView(StaffOnly, BaseView):
    @expose("/", methods=["GET", "POST"])
    def index(self):
        form = TokenForm(request.form)
        value = None
        if request.method == "POST" and form.validate():
            _, value = staff_tokens.create(
                current_user.actor, town_id(), form.name.data, form.scope.data, form.days.data
            )
            flash("Jeton créé : copiez-le maintenant, il ne sera plus affiché.", "success")
        return self.render(
            "admin/kitchen/tokens.html",
            form=form,
            value=value,
            tokens=list(staff_tokens.town_tokens(town_id())),
            scopes=STAFF_TOKEN_SCOPES,
        )

    @expose("/<int:token_id>/revoquer", methods=["POST"])
    def revoke(self, token_id: int):
        if not staff_tokens.revoke(current_user.actor, town_id(), token_id):
            abort(404)
        flash("Jeton révoqué.", "success")
        return redirect(url_for(".index"))
