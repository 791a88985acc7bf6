"""Login and logout for parents and staff (one form; staff land in the admin)."""

from __future__ import annotations

from functools import cached_property

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from models import Account
from workflows.accounts import actor_for, authenticate, household_of

from ..extensions import login_manager

bp = Blueprint("auth", __name__)


class LoginUser(UserMixin):
    """The logged-in account as Flask-Login sees it. Its id carries the session version,
    so bumping the account's version ends every session at once."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.id}:{self.account.session_version}"

    @property
    def is_active(self) -> bool:
        return self.account.is_active

    @property
    def is_staff(self) -> bool:
        return self.account.is_staff

    @cached_property
    def actor(self):
        return actor_for(self.account)

    @cached_property
    def household(self):
        return household_of(self.account)


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        account_id, version = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    account = Account.get_or_none(Account.id == account_id)
    if account is None or account.session_version != version or not account.is_active:
        return None
    return LoginUser(account)


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail.")])
    password = PasswordField(
        "Mot de passe",
        validators=[DataRequired("Indiquez votre mot de passe."), Length(max=1024)],
    )


def _landing(user: LoginUser) -> str:
    return url_for("admin.index") if user.is_staff else url_for("portal.home")


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        account = authenticate(form.email.data, form.password.data)
        if account is None:
            flash("Adresse e-mail ou mot de passe incorrect.", "error")
        else:
            user = LoginUser(account)
            login_user(user)
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = _landing(user)
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


def parent_required(view):
    """A parent with a household; staff and strangers are turned away."""
    from functools import wraps

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.household is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
