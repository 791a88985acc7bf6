"""Who may enter the admin, and the CSRF token its forms carry.

Every admin view requires a logged-in, active staff account; some views also require a
role. The forms use Flask-Admin's `SecureForm`, but with the token of Flask-WTF: the app's
`CSRFProtect` checks every POST (the admin's included) against the `csrf_token` field, so
both must speak the same token or every admin form would be refused.
"""

from __future__ import annotations

from flask import abort, g, redirect, request, url_for
from flask_admin.form import SecureForm
from flask_login import current_user
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.csrf.core import CSRF
from wtforms.validators import ValidationError

from workflows import permissions


class _SharedCSRF(CSRF):
    """Flask-WTF's token in a wtforms CSRF class (what `CSRFProtect` expects)."""

    def generate_csrf_token(self, csrf_token_field) -> str:
        return generate_csrf()

    def validate_csrf_token(self, form, field) -> None:
        if g.get("csrf_valid", False):  # already checked by CSRFProtect
            return
        try:
            validate_csrf(field.data)
        except ValidationError as exc:
            raise ValidationError(
                "Le jeton de sécurité du formulaire a expiré ; rechargez la page."
            ) from exc


class AdminForm(SecureForm):
    class Meta:
        csrf = True
        csrf_class = _SharedCSRF
        csrf_field_name = "csrf_token"
        locales = ("fr_FR", "fr")  # wtforms' own messages in French ("Ce champ est requis.")


# Kept so that screens written before the permission table still import; access is the
# table's alone (workflows/permissions.py): `required_roles` is no longer read.
FINANCE_ROLES = frozenset({"finance", "admin"})


def staff_roles() -> frozenset[str]:
    """The roles the logged-in staff member holds in their own town ('admin' implies the
    others, as in the workflow engine)."""
    if not (current_user.is_authenticated and current_user.is_staff):
        return frozenset()
    actor = current_user.actor
    roles = actor.roles_on(None, actor.town_id)
    if "superadmin" in current_user.account.role_set:  # portal-wide, whatever the town
        roles = roles | {"superadmin"}
    return roles


def town_id() -> int | None:
    return current_user.account.town_id


def may(screen: str, action: str = "list") -> bool:
    """May the logged-in staff member use `action` on `screen`? (workflows/permissions.py)"""
    return permissions.allowed(staff_roles(), screen, action)


# Flask-Admin's model-screen methods, by the action of the permission table they are.
MODEL_ACTIONS = {
    "index_view": "list",
    "ajax_lookup": "list",
    "details_view": "view",
    "create_view": "create",
    "edit_view": "edit",
    "ajax_update": "edit",
    "delete_view": "delete",
    "export": "export",
}


class StaffOnly:
    """Mixin for Flask-Admin views: staff only, and what the permission table
    (workflows/permissions.py) gives the staff member's roles on this screen (its
    `endpoint`). `list` opens the screen (and shows it in the menu); each model action and
    each page named in the row needs its own roles."""

    def is_accessible(self) -> bool:
        if not (current_user.is_authenticated and current_user.is_staff):
            return False
        return may(self.endpoint, "list")

    def action_of(self, name: str) -> str:
        """The table's action for the view method `name`."""
        if name in MODEL_ACTIONS:
            return MODEL_ACTIONS[name]
        if name == "action_view":  # a batch action: the table's row for its name
            return request.form.get("action") or "list"
        row = permissions.TABLE.get(self.endpoint, {})
        return name if name in row else "list"

    def _handle_view(self, name, **kwargs):
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if not may(self.endpoint, self.action_of(name)):
            abort(403)
        return None

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)
