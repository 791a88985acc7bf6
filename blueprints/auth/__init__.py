"""Login and logout for parents and staff (one form; staff land in the admin), and what
gets a parent in: invitation link, self sign-up with e-mail confirmation, lost password.

Sessions: Flask's cookie only names a server-side session row (`sid`, see
models.accounts.AccountSession). Logging out deletes the row, so a replayed cookie is
refused; the row also carries the idle and absolute timeouts. The session is cleared at
login (no fixation), and a password change ends the account's other sessions."""

from __future__ import annotations

import datetime as dt
from functools import cached_property, wraps

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from models import Account
from web.extensions import login_manager
from workflows import accounts, sessions
from workflows.accounts import (
    EMAIL_RE,
    actor_for,
    authenticate,
    joined_households,
    load_account,
    pick_household,
)

from . import limits
from .limits import account_key, limiter, login_failed, login_limited, setting

bp = Blueprint("auth", __name__)

SESSION_IDLE = dt.timedelta(minutes=30)
SESSION_ABSOLUTE = dt.timedelta(hours=12)
SAME_ANSWER_RESET = (
    "Si un compte existe pour cette adresse, un e-mail vient de lui être "
    "envoyé avec un lien pour choisir un nouveau mot de passe (valable une "
    "heure). Pensez à regarder dans les courriers indésirables."
)
SAME_ANSWER_SIGNUP = (
    "Merci ! Un e-mail vient d'être envoyé à cette adresse : ouvrez le lien "
    "qu'il contient pour activer votre compte."
)
BAD_LINK = "Ce lien n'est plus valable : il a déjà servi ou a expiré."


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
    return LoginUser(account, loaded.households)


def public_url() -> str:
    """The address links in e-mails point to: PUBLIC_URL when set (always set it in
    production, or a forged Host header would choose where reset links lead)."""
    return (current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")


def after_commit_mail(func, *args) -> None:
    """Enqueue a mail job; call it once the transaction has committed."""
    from jobs.queue import enqueue

    enqueue(current_app.config, func, *args)


# -- forms ----------------------------------------------------------------------------------
PASSWORD_HELP = (
    f"Au moins {accounts.MIN_PASSWORD} caractères ; une phrase de plusieurs mots "
    "est idéale. Les mots de passe trop courants sont refusés."
)


def _password_field(label="Nouveau mot de passe"):
    return PasswordField(
        label,
        validators=[DataRequired("Choisissez un mot de passe."), Length(max=accounts.MAX_PASSWORD)],
        description=PASSWORD_HELP,
    )


def _confirm_field():
    return PasswordField(
        "Confirmation du mot de passe",
        validators=[
            DataRequired("Confirmez le mot de passe."),
            EqualTo("password", "Les deux mots de passe ne sont pas identiques."),
        ],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail.")]
    )
    password = PasswordField(
        "Mot de passe",
        validators=[DataRequired("Indiquez votre mot de passe."), Length(max=1024)],
    )


class ForgotForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[DataRequired("Indiquez votre adresse e-mail."), Length(max=254)],
    )


class NewPasswordForm(FlaskForm):
    password = _password_field()
    confirm = _confirm_field()


class ConfirmForm(FlaskForm):
    pass


class SignupForm(FlaskForm):
    household_name = StringField(
        "Nom du foyer", validators=[DataRequired("Indiquez le nom du foyer."), Length(max=100)]
    )
    civility = RadioField(
        "Civilité", choices=[("M.", "M."), ("Mme", "Mme")], validators=[Optional()]
    )
    last_name = StringField(
        "Nom", validators=[DataRequired("Indiquez votre nom."), Length(max=100)]
    )
    first_name = StringField(
        "Prénom", validators=[DataRequired("Indiquez votre prénom."), Length(max=100)]
    )
    email = EmailField(
        "Adresse e-mail",
        validators=[
            DataRequired("Indiquez votre adresse e-mail."),
            Regexp(EMAIL_RE, message="Cette adresse e-mail n'est pas valable."),
            Length(max=254),
        ],
    )
    phone = StringField("Téléphone principal", validators=[Optional(), Length(max=30)])
    phone2 = StringField("Téléphone secondaire", validators=[Optional(), Length(max=30)])
    notify_by = SelectField(
        "Recevoir les notifications par",
        choices=[("email", "E-mail"), ("sms", "SMS")],
        default="email",
    )
    password = _password_field("Mot de passe")
    confirm = _confirm_field()


# -- login and logout -----------------------------------------------------------------------
def _landing(user: LoginUser) -> str:
    if user.is_staff:
        return url_for("admin.index")
    # A parent who signed up alone joins a town first.
    return url_for("portal.home") if user.household is not None else url_for("account.join")


def start_session(account: Account) -> LoginUser:
    """A brand-new session for `account`: the old cookie's content is dropped (fixation),
    a server-side row is opened and the connection is logged."""
    session.clear()
    session["sid"] = sessions.open_session(account)
    session.permanent = True  # the cookie expires with the absolute timeout
    user = LoginUser(account)
    login_user(user)
    if not account.is_staff:
        sessions.record_connection(account, request.remote_addr, request.headers.get("User-Agent"))
    return user


def end_current_session() -> None:
    sessions.end_session(session.get("sid"))
    logout_user()
    session.clear()


@bp.route("/connexion", methods=["GET", "POST"])
@login_limited
def login():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        account = authenticate(form.email.data, form.password.data)
        if account is None:
            login_failed()
            flash("Adresse e-mail ou mot de passe incorrect.", "error")
        else:
            target = request.args.get("next", "")
            user = start_session(account)
            if not target.startswith("/") or target.startswith("//") or "\\" in target:
                target = _landing(user)
            return redirect(target)
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


# -- lost password --------------------------------------------------------------------------
@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit(
    setting("RATELIMIT_RESET_ACCOUNT"),
    key_func=account_key,
    methods=["POST"],
    scope="reset-account",
)
@limiter.limit(setting("RATELIMIT_RESET_IP"), methods=["POST"], scope="reset-ip")
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        # Known or not, the same job is queued and the same page answers: the job alone
        # looks the address up (no enumeration, by words or by time).
        from jobs.accounts import send_reset_link

        after_commit_mail(send_reset_link, accounts.normalise_email(form.email.data), public_url())
        return render_template(
            "auth/message.html", title="Mot de passe oublié", message=SAME_ANSWER_RESET
        )
    return render_template("auth/forgot.html", form=form)


def _choose_password(token: str, purpose: str, title: str, intro: str):
    secret = current_app.config["SECRET_KEY"]
    if accounts.check_token(token, purpose, secret) is None:
        return render_template("auth/message.html", title=title, message=BAD_LINK, error=True), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            account = accounts.use_link(token, purpose, secret, form.password.data)
        except accounts.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            sessions.end_all_sessions(account)  # whoever was logged in is logged out
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(
                "Votre mot de passe est enregistré. Connectez-vous avec votre adresse "
                "e-mail et ce mot de passe.",
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/choose_password.html", form=form, title=title, intro=intro)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@limiter.limit(setting("RATELIMIT_RESET_IP"), methods=["POST"], scope="reset-ip")
def reset(token: str):
    return _choose_password(
        token, "reset", "Nouveau mot de passe", "Choisissez votre nouveau mot de passe."
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(setting("RATELIMIT_RESET_IP"), methods=["POST"], scope="reset-ip")
def invitation(token: str):
    return _choose_password(
        token,
        "invite",
        "Bienvenue sur le Portail Famille",
        "Votre mairie vous a invité. Choisissez le mot de passe de votre "
        "espace : votre identifiant est votre adresse e-mail.",
    )


# -- self sign-up ---------------------------------------------------------------------------
@bp.route("/inscription", methods=["GET", "POST"])
@limiter.limit(setting("RATELIMIT_SIGNUP_IP"), methods=["POST"], scope="signup-ip")
def signup():
    if current_user.is_authenticated:
        return redirect(_landing(current_user))
    form = SignupForm()
    if form.validate_on_submit():
        from jobs.accounts import send_confirmation, send_signup_existing

        try:
            account, created = accounts.signup(
                form.email.data,
                form.password.data,
                {f: form[f].data for f in accounts.PROFILE_FIELDS},
            )
        except accounts.AccountError as exc:
            form.password.errors = [str(exc)]
        else:
            if created:
                after_commit_mail(send_confirmation, account.id, public_url())
            else:
                after_commit_mail(send_signup_existing, account.id, public_url())
            return render_template(
                "auth/message.html", title="Créer mon compte", message=SAME_ANSWER_SIGNUP
            )
    return render_template("auth/signup.html", form=form)


@bp.route("/inscription/confirmer/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """A GET only shows a button (mail scanners open links); the POST confirms."""
    secret = current_app.config["SECRET_KEY"]
    if accounts.check_token(token, "confirm", secret) is None:
        return render_template(
            "auth/message.html", title="Confirmer mon adresse", message=BAD_LINK, error=True
        ), 410
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            account = accounts.confirm_email(token, secret)
        except accounts.AccountError as exc:
            return render_template(
                "auth/message.html", title="Confirmer mon adresse", message=str(exc), error=True
            ), 410
        start_session(account)
        flash(
            "Votre adresse est confirmée. Adhérez maintenant à votre collectivité avec le "
            "code d'adhésion qu'elle vous a remis.",
            "success",
        )
        return redirect(url_for("account.join"))
    return render_template("auth/confirm.html", form=form)


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
    from flask import jsonify

    if request.path.endswith(".json") or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": "unauthorized", "message": "Session expired: log in again."}), 401
    flash(login_manager.login_message, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_TIMEOUT", SESSION_IDLE)
    app.config.setdefault("SESSION_ABSOLUTE_TIMEOUT", SESSION_ABSOLUTE)
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SESSION_ABSOLUTE_TIMEOUT"]
    limits.init_app(app)
    app.register_blueprint(bp)

    @app.after_request
    def _account_headers(response):
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if session.get("sid"):  # pages of a logged-in person are never cached
            response.headers.setdefault("Cache-Control", "no-store")
        return response
