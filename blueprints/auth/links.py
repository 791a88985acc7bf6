"""What gets a parent in: the invitation link, self sign-up with its e-mail confirmation,
and the lost password. Every page answers the same whether the address is known or not;
the e-mails are written to the outbox in the request (workflows.account_mails)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from web.urls import public_url
from workflows import account_mails, accounts, sessions
from workflows.accounts import EMAIL_RE

from .limits import account_key, limiter, setting
from .login import bp, landing, start_session

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


# -- forms ----------------------------------------------------------------------------------
PASSWORD_HELP = (
    f"Au moins {accounts.MIN_PASSWORD} caractères ; une phrase de plusieurs mots "
    "est idéale. Les mots de passe trop courants sont refusés."
)


def password_field(label="Nouveau mot de passe"):
    return PasswordField(
        label,
        validators=[DataRequired("Choisissez un mot de passe."), Length(max=accounts.MAX_PASSWORD)],
        description=PASSWORD_HELP,
    )


def confirm_field():
    return PasswordField(
        "Confirmation du mot de passe",
        validators=[
            DataRequired("Confirmez le mot de passe."),
            EqualTo("password", "Les deux mots de passe ne sont pas identiques."),
        ],
    )


class ForgotForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[DataRequired("Indiquez votre adresse e-mail."), Length(max=254)],
    )


class NewPasswordForm(FlaskForm):
    password = password_field()
    confirm = confirm_field()


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
    password = password_field("Mot de passe")
    confirm = confirm_field()


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
        # Known or not, an e-mail is written and the same page answers (no enumeration, by
        # words or by time); the outbox keeps it through a Redis outage.
        account_mails.reset_link(form.email.data, public_url(), current_app.config["SECRET_KEY"])
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
        return redirect(landing(current_user))
    form = SignupForm()
    if form.validate_on_submit():
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
                secret = current_app.config["SECRET_KEY"]
                account_mails.confirmation(account.id, public_url(), secret)
            else:
                account_mails.signup_existing(account.id, public_url())
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
