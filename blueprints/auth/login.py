"""Login and logout for parents and staff (one form; staff land in the admin), and who the
logged-in person is on every request.

Sessions: Flask's cookie only names a server-side session row (`sid`, see
models.accounts.AccountSession). Logging out deletes the row, so a replayed cookie is
refused; the row also carries the idle and absolute timeouts. The session is cleared at
login (no fixation), and a password change ends the account's other sessions."""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property, wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from models import Account
from web.extensions import login_manager
from workflows import second_factor, sessions
from workflows.accounts import (
    actor_for,
    authenticate,
    joined_households,
    load_account,
    pick_household,
)

from .limits import login_failed, login_limited

bp = Blueprint("auth", __name__)

SESSION_IDLE = dt.timedelta(minutes=30)
SESSION_ABSOLUTE = dt.timedelta(hours=12)
PENDING = "second_factor_for"  # the account whose password passed, waiting for its code


class LoginUser(UserMixin):
    """The logged-in account as Flask-Login sees it. Its id carries the session version,
    so bumping the account's version ends every session at once."""

    def __init__(self, account: Account, households: list | None = None) -> None:
        self.account = account
        if households is not None:
            self.households = households

    def get_id(self) -> str:
        return f"{self.account.id}:{self.account.session_version}"

    @property
    def is_active(self) -> bool:
        return self.account.is_active

    @property
    def is_staff(self) -> bool:
        return self.account.is_staff

    @cached_property
    def households(self) -> list:
        return joined_households(self.account)

    @cached_property
    def actor(self):
        return actor_for(self.account, self.households)

    @cached_property
    def household(self):
        """The household of the town chosen with 'changer de collectivité' (or the first)."""
        return pick_household(self.households, session.get("household_id"))


def _timeouts() -> tuple[dt.timedelta, dt.timedelta]:
    cfg = current_app.config
    return cfg["SESSION_IDLE_TIMEOUT"], cfg["SESSION_ABSOLUTE_TIMEOUT"]


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        account_id, version = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    sid = session.get("sid")
    loaded = load_account(account_id, sid) if sid else None
    if loaded is None:
        session.clear()  # logged out elsewhere, or a replayed cookie
        return None
    account = loaded.account
    if account.session_version != version or not account.is_active:
        return None
    idle, absolute = _timeouts()
    if not sessions.session_alive(loaded.session, idle, absolute):
        session.clear()  # expired
        return None
    if second_factor.needed(account) and loaded.session.second_factor_at is None:
        return None  # the login is not finished (blueprints/auth/second_factor.py)
    return LoginUser(account, loaded.households)


class LoginForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail.")]
    )
    password = PasswordField(
        "Mot de passe",
        validators=[DataRequired("Indiquez votre mot de passe."), Length(max=1024)],
    )


# -- login and logout -----------------------------------------------------------------------
def landing(user: LoginUser) -> str:
    if user.is_staff:
        return url_for("admin.index")
    # A parent who signed up alone joins a town first.
    return url_for("portal.home") if user.household is not None else url_for("account.join")


def start_session(account: Account) -> LoginUser | None:
    """A brand-new session for `account`: the old cookie's content is dropped (fixation)
    and a server-side row is opened. When the account needs a second factor, the session
    waits for it (`PENDING` names the account; nothing is logged in yet) and None is
    returned; otherwise the login is finished."""
    session.clear()
    session["sid"] = sessions.open_session(account)
    session.permanent = True  # the cookie expires with the absolute timeout
    if second_factor.needed(account):
        session[PENDING] = account.id
        return None
    return finish_login(account)


def finish_login(account: Account) -> LoginUser:
    """The password (and the second factor, if asked) passed: log the account in."""
    session.pop(PENDING, None)
    user = LoginUser(account)
    login_user(user)
    if not account.is_staff:
        sessions.record_connection(account, request.remote_addr, request.headers.get("User-Agent"))
    return user


def end_current_session() -> None:
    sessions.end_session(session.get("sid"))
    logout_user()
    session.clear()


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str) -> str | None:
    """Where to go after the login: only a path on this host. Browsers drop tabs and line
    breaks from an address (so "/\t/evil.example" is "//evil.example", another host): they
    are removed before the checks, as are other control characters."""
    target = _CONTROL.sub("", target or "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/connexion", methods=["GET", "POST"])
@login_limited
def login():
    if current_user.is_authenticated:
        return redirect(landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        account = authenticate(form.email.data, form.password.data)
        if account is None:
            login_failed()
            flash("Adresse e-mail ou mot de passe incorrect.", "error")
        else:
            user = start_session(account)
            target = safe_next(request.args.get("next", ""))
            if user is None:  # the second factor comes next
                return redirect(url_for("auth.second_factor", next=target))
            return redirect(target or landing(user))
    return render_template("auth/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
@login_required
def logout():
    end_current_session()
    flash("Vous êtes déconnecté.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/deconnexion-partout", methods=["POST"])
@login_required
def logout_everywhere():
    """End every session of the account (this one too) and its API tokens."""
    sessions.end_all_sessions(current_user.account)
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté de tous vos appareils.", "info")
    return redirect(url_for("auth.login"))


def parent_required(view):
    """A parent with a household; staff and strangers are turned away."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.household is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@login_manager.unauthorized_handler
def _unauthorized():
    """Pages go to the login form; a page's background JSON calls (the planning's refresh)
    get a 401 the page can explain, rather than a redirect to HTML."""
    if request.path.endswith(".json") or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": "unauthorized", "message": "Session expired: log in again."}), 401
    flash(login_manager.login_message, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
