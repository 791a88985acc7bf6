"""The town's own settings (« Réglages de la commune »), its school years, and the portal's
towns (« Communes », super-admin only). The rules and the audit are
workflows/town_settings.py and workflows/school_years.py; these views show and send."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from wtforms import EmailField, FileField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from models import SchoolYear, Town, TownLogo
from web.urls import public_url
from workflows import school_years, town_settings
from workflows.accounts import EMAIL_RE
from workflows.content_files import FileRefused, Upload

from .base import TownModelView
from .security import AdminForm, StaffOnly, town_id

ZONE_CHOICES = list(town_settings.ZONES)
REQUIRED = "Ce champ est obligatoire."
EMAIL = Regexp(EMAIL_RE, message="Cette adresse e-mail n'est pas valable.")


def backend_choices() -> list[tuple[str, str]]:
    return [("", "Celui du portail (réglage du serveur)")] + [
        (b, b) for b in town_settings.backends()
    ]


class SettingsForm(AdminForm):
    name = StringField("Nom de la commune", validators=[DataRequired(REQUIRED), Length(max=200)])
    address = TextAreaField(
        "Adresse", validators=[Length(max=500)], description="Celle de la mairie ou du service."
    )
    contact_email = EmailField(
        "E-mail de contact",
        validators=[
            Optional(),
            EMAIL,
            Length(max=200),
        ],
        description="L'adresse que les familles voient pour écrire au service.",
    )
    contact_phone = StringField(
        "Téléphone de contact",
        validators=[Length(max=30)],
        description="Ex. 05 59 00 00 00.",
    )
    zone = SelectField(
        "Zone de vacances scolaires",
        choices=ZONE_CHOICES,
        description="La zone de l'académie : elle dit quels jours sont des vacances.",
    )
    reminder_hours = IntegerField(
        "Rappel avant la fin d'un délai (heures)",
        validators=[
            InputRequired("Indiquez un nombre d'heures."),
            NumberRange(
                *town_settings.REMINDER_HOURS,
                message="Le rappel se fait de 1 à 168 heures (une semaine) avant le délai.",
            ),
        ],
        description="Les familles qui l'ont demandé reçoivent un e-mail ce nombre d'heures "
        "avant la fin du délai de réservation (48 : deux jours avant).",
    )
    payment_backend = SelectField(
        "Prestataire de paiement en ligne",
        choices=[],
        validate_choice=False,
        description="Le module eopayment de votre prestataire (payfip_ws pour PayFiP, "
        "systempayv2…) ; « celui du portail » garde le réglage du serveur.",
    )
    payment_options = TextAreaField(
        "Options du prestataire",
        description="Une par ligne, « nom = valeur », ex. « numcli = 000001 ». "
        "Les secrets vont dans le champ suivant.",
    )
    payment_secrets = TextAreaField(
        "Secrets du prestataire",
        description="Une par ligne, « nom = valeur ». Jamais réaffichés : laissez vide pour "
        "garder les secrets enregistrés ; « nom = » (sans valeur) en supprime un.",
    )


class LogoForm(AdminForm):
    logo = FileField("Logo (PNG ou JPEG, 512 Ko au plus)")


class TownSettingsView(StaffOnly, BaseView):
    """« Réglages de la commune »: the town's admin only (workflows/permissions.py)."""

    def _town(self) -> Town:
        town = Town.get_or_none(Town.id == town_id())
        if town is None:
            abort(404)
        return town

    def _page(self, form, town, logo_form=None):
        return self.render(
            "admin/town/settings.html",
            form=form,
            logo_form=logo_form or LogoForm(formdata=None),
            town=town,
            secret_names=town_settings.secret_names(town),
            has_logo=town_settings.has_logo(town.id),
        )

    @expose("/", methods=["GET", "POST"])
    def index(self):
        town = self._town()
        if request.method == "POST":
            form = SettingsForm(request.form)
        else:
            form = SettingsForm(formdata=None, obj=town)
            form.payment_options.data = town_settings.options_text(
                town_settings.stored_options(town)
            )
        form.payment_backend.choices = backend_choices()
        form.payment_secrets.data = "" if request.method == "GET" else form.payment_secrets.data
        if request.method == "POST" and form.validate():
            values = town_settings.Settings(
                name=form.name.data or "",
                address=form.address.data or "",
                contact_email=form.contact_email.data or "",
                contact_phone=form.contact_phone.data or "",
                zone=form.zone.data,
                reminder_hours=form.reminder_hours.data,
                payment_backend=form.payment_backend.data or "",
                payment_options=form.payment_options.data or "",
                payment_secrets=form.payment_secrets.data or "",
            )
            try:
                town_settings.save(current_user.account, town, values)
            except town_settings.SettingsError as exc:
                getattr(form, exc.field).errors = [exc.message]
            else:
                flash("Réglages enregistrés.", "success")
                return redirect(url_for(".index"))
        form.payment_secrets.data = ""  # never shown back, not even as typed
        return self._page(form, town)

    @expose("/logo", methods=["POST"])
    def logo(self):
        town = self._town()
        sent = request.files.get("logo")
        form = LogoForm(request.form)
        if form.validate():
            if sent is None or not sent.filename:
                form.logo.errors = ["Choisissez un fichier image."]
            else:
                with sent.stream:  # a large file is spooled to disk: closed once read
                    upload = Upload(sent.filename, sent.read())
                try:
                    town_settings.set_logo(current_user.account, town, upload)
                except FileRefused as exc:
                    form.logo.errors = [str(exc)]
                else:
                    flash("Logo enregistré.", "success")
                    return redirect(url_for(".index"))
        settings = SettingsForm(formdata=None, obj=town)
        settings.payment_backend.choices = backend_choices()
        settings.payment_secrets.data = ""
        return self._page(settings, town, logo_form=form), 400

    @expose("/code", methods=["POST"])
    def regenerate(self):
        town = self._town()
        if not LogoForm(request.form).validate():  # the CSRF token alone
            abort(400)
        code = town_settings.regenerate_code(current_user.account, town)
        flash(f"Nouveau code d'adhésion : {code}. L'ancien ne permet plus d'adhérer.", "success")
        return redirect(url_for(".index"))


def logo(slug: str):
    """The town's logo, for every page of the portal (public: it is on the town's site)."""
    logo = (
        TownLogo.select(TownLogo.data, TownLogo.content_type)
        .join(Town)
        .where(Town.slug == slug)
        .first()
    )
    if logo is None:
        abort(404)
    resp = Response(bytes(logo.data), mimetype=logo.content_type)
    resp.headers["Cache-Control"] = "public, max-age=3600"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


class SchoolYearView(TownModelView):
    """The town's school years: the planning, the weekly template, the enrolments and the
    kitchen read them (workflows/school_years.py)."""

    can_delete = True
    column_list = ("label", "start", "end")
    column_labels = {"label": "Année scolaire", "start": "Premier jour", "end": "Dernier jour"}
    column_formatters = {"label": lambda v, c, m, n: m.label}
    column_default_sort = "start"
    form_columns = ("start", "end")
    form_args = {
        "start": {
            "label": "Premier jour (rentrée)",
            "validators": [InputRequired(REQUIRED)],
            "description": "Le jour de la rentrée, ex. mardi 1er septembre 2026.",
        },
        "end": {
            "label": "Dernier jour",
            "validators": [InputRequired(REQUIRED)],
            "description": "Le dernier jour de classe, ex. samedi 3 juillet 2027.",
        },
    }

    def form_checks(self, form, own_id):
        try:
            school_years.check(town_id(), form.start.data, form.end.data, own_id=own_id)
        except school_years.SchoolYearError as exc:
            return [(exc.field, exc.message)]
        return []


class NewTownForm(AdminForm):
    name = StringField("Nom de la commune", validators=[DataRequired(REQUIRED), Length(max=200)])
    slug = StringField(
        "Identifiant",
        validators=[DataRequired(REQUIRED), Length(max=60)],
        description="Minuscules, chiffres et tirets : « ville-de-pau » (dans les adresses).",
    )
    zone = SelectField("Zone de vacances scolaires", choices=ZONE_CHOICES)
    admin_email = EmailField(
        "E-mail du premier administrateur (facultatif)",
        validators=[
            Optional(),
            EMAIL,
            Length(max=200),
        ],
        description="Il reçoit une invitation par e-mail (lien valable sept jours) pour "
        "choisir son mot de passe ; vide : pas de compte pour l'instant.",
    )


class TownsView(StaffOnly, BaseView):
    """« Communes »: the portal's super-admin lists the towns and creates one."""

    @expose("/", methods=["GET", "POST"])
    def index(self):
        form = NewTownForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            values = town_settings.NewTown(
                form.name.data or "", form.slug.data or "", form.zone.data, form.admin_email.data
            )
            try:
                town, admin = town_settings.create_town(
                    current_user.account, values, public_url(), current_app.config["SECRET_KEY"]
                )
            except town_settings.SettingsError as exc:
                getattr(form, exc.field).errors = [exc.message]
            else:
                if admin is not None:
                    flash(
                        f"Commune « {town.name} » créée, code d'adhésion {town.adhesion_code}. "
                        f"Une invitation est envoyée à {admin.email} : son lien permet de "
                        "choisir un mot de passe, puis la double authentification.",
                        "success",
                    )
                else:
                    flash(
                        f"Commune « {town.name} » créée, code d'adhésion {town.adhesion_code}. "
                        "Aucun compte d'administrateur : créez-le ou invitez-le.",
                        "success",
                    )
                return redirect(url_for(".index"))
        towns = list(Town.select().order_by(Town.name))
        return self.render("admin/town/towns.html", form=form, towns=towns)


def register(admin, app: Flask) -> None:
    admin.add_view(
        TownSettingsView(
            name="Réglages de la commune", endpoint="admin_town_settings", url="/admin/reglages"
        )
    )
    admin.add_view(
        SchoolYearView(
            SchoolYear,
            name="Années scolaires",
            category="Offre",
            endpoint="admin_schoolyear",
            url="/admin/annees-scolaires",
        )
    )
    admin.add_view(TownsView(name="Communes", endpoint="admin_towns", url="/admin/communes"))
    app.add_url_rule("/commune/<slug>/logo", "town_logo", logo)
