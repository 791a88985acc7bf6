"""« Agents »: a town's admin invites a colleague by e-mail with roles ticked from the
permission table, deactivates or reactivates an account, and resets a colleague's second
factor (workflows/staff_accounts.py; each change in the audit). Roles of an existing
account are changed in « Comptes » (AccountView), with the same checkboxes."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from wtforms import EmailField, SelectMultipleField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from workflows import second_factor, staff_accounts
from workflows.accounts import AccountError
from workflows.permissions import ROLE_LABELS, STAFF_ROLES, parse_roles

from ..auth import public_url
from .security import AdminForm, StaffOnly, town_id


class RoleBoxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InviteForm(AdminForm):
    email = EmailField(
        "Adresse e-mail de l'agent",
        validators=[DataRequired("Indiquez l'adresse e-mail de l'agent."), Length(max=254)],
    )
    roles = RoleBoxes(
        "Rôles",
        choices=[(r, ROLE_LABELS[r]) for r in STAFF_ROLES],
        validators=[DataRequired("Cochez au moins un rôle.")],
    )


class StaffAccountsView(StaffOnly, BaseView):
    def _colleague(self, account_id: int):
        account = staff_accounts.colleague(town_id(), account_id)
        if account is None:
            abort(404)
        return account

    def _page(self, form):
        rows = [
            {
                "account": a,
                "roles": [ROLE_LABELS[r] for r in STAFF_ROLES if r in parse_roles(a.roles)],
                "status": staff_accounts.status(a),
                "enrolled": second_factor.enrolled(a),
                "me": a.id == current_user.account.id,
            }
            for a in staff_accounts.staff_of(town_id())
        ]
        return self.render("admin/accounts/staff.html", form=form, rows=rows)

    @expose("/", methods=("GET",))
    def index(self):
        return self._page(InviteForm())

    @expose("/inviter", methods=("POST",))
    def invite(self):
        form = InviteForm(request.form)
        if not form.validate():
            return self._page(form)
        try:
            staff_accounts.invite(
                current_user.account,
                town_id(),
                form.email.data,
                form.roles.data,
                public_url(),
                current_app.config["SECRET_KEY"],
            )
        except AccountError as exc:
            form.email.errors = [str(exc)]
            return self._page(form)
        flash(f"Invitation envoyée à {form.email.data.strip().lower()}.", "success")
        return redirect(url_for(".index"))

    @expose("/<int:account_id>/desactiver", methods=("POST",))
    def deactivate(self, account_id: int):
        account = self._colleague(account_id)
        try:
            staff_accounts.deactivate(current_user.account, account)
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(
                f"Le compte {account.email} est désactivé ; ses sessions sont fermées.", "success"
            )
        return redirect(url_for(".index"))

    @expose("/<int:account_id>/reactiver", methods=("POST",))
    def reactivate(self, account_id: int):
        account = self._colleague(account_id)
        try:
            staff_accounts.reactivate(current_user.account, account)
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Le compte {account.email} est réactivé.", "success")
        return redirect(url_for(".index"))

    @expose("/<int:account_id>/reinitialiser-double-authentification", methods=("POST",))
    def reset_second_factor(self, account_id: int):
        account = self._colleague(account_id)
        reason = (request.form.get("reason") or "").strip()[:500]
        try:
            staff_accounts.reset_second_factor(current_user.account, account, reason)
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            flash(
                f"La double authentification de {account.email} est réinitialisée : "
                "elle sera activée à nouveau à sa prochaine connexion.",
                "success",
            )
        return redirect(url_for(".index"))


def register(admin, app) -> None:
    admin.add_view(
        StaffAccountsView(name="Agents", endpoint="admin_staff", url="/admin/agents", category=None)
    )
