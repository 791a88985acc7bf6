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


FINANCE_ROLES = frozenset({"finance", "admin"})  # the billing office's screens


def staff_roles() -> frozenset[str]:
    """The roles the logged-in staff member holds in their own town ('admin' implies the
    others, as in the workflow engine)."""
    if not (current_user.is_authenticated and current_user.is_staff):
        return frozenset()
    actor = current_user.actor
    return actor.roles_on(None, actor.town_id)


def town_id() -> int | None:
    return current_user.account.town_id


class StaffOnly:
    """Mixin for Flask-Admin views: staff only, and `required_roles` (any of them) if set."""

    required_roles: frozenset[str] = frozenset()

    def is_accessible(self) -> bool:
        if not (current_user.is_authenticated and current_user.is_staff):
            return False
        return not self.required_roles or bool(self.required_roles & staff_roles())

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)
