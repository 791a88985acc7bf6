"""Ma famille: guardians' contacts, address, CAF number and pickup persons (editable);
children's school, class, meal option and PAI (read-only: the town's service changes them)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from models import Child, Guardian
from models.accounts import PickupPerson
from workflows import accounts, households
from workflows.accounts import EMAIL_RE

from ..auth import parent_required
from .blueprint import bp


class HouseholdForm(FlaskForm):
    address = TextAreaField("Adresse", validators=[Optional(), Length(max=300)])
    caf_number = StringField("N° allocataire CAF", validators=[Optional(), Length(max=20)])


class GuardianForm(FlaskForm):
    email = EmailField(
        "E-mail de contact",
        validators=[
            Optional(),
            Regexp(EMAIL_RE, message="Cette adresse e-mail n'est pas valable."),
            Length(max=254),
        ],
    )
    phone = StringField("Téléphone", validators=[Optional(), Length(max=30)])


class PickupForm(FlaskForm):
    first_name = StringField(
        "Prénom", validators=[DataRequired("Indiquez le prénom."), Length(max=100)]
    )
    last_name = StringField("Nom", validators=[DataRequired("Indiquez le nom."), Length(max=100)])
    phone = StringField("Téléphone", validators=[Optional(), Length(max=30)])
    relation = StringField("Lien avec l'enfant", validators=[Optional(), Length(max=60)])


class DeleteForm(FlaskForm):
    pass


def _page(household_form=None, pickup_form=None, guardian_forms=None):
    h = current_user.household
    guardians = list(
        Guardian.select()
        .where(Guardian.household == h.id)
        .order_by(Guardian.is_reference.desc(), Guardian.id)
    )
    forms = guardian_forms or {}
    for g in guardians:
        forms.setdefault(g.id, GuardianForm(prefix=f"g{g.id}", obj=g))
    return render_template(
        "account/family.html",
        household=h,
        town=h.town,
        guardians=guardians,
        guardian_forms=forms,
        children=list(Child.select().where(Child.household == h.id).order_by(Child.first_name)),
        pickups=list(
            PickupPerson.select()
            .where(PickupPerson.household == h.id)
            .order_by(PickupPerson.last_name)
        ),
        household_form=household_form or HouseholdForm(prefix="h", obj=h),
        pickup_form=pickup_form or PickupForm(prefix="p"),
        delete_form=DeleteForm(),
    )


@bp.route("/ma-famille")
@parent_required
def family():
    return _page()


@bp.route("/ma-famille/foyer", methods=["POST"])
@parent_required
def household_edit():
    form = HouseholdForm(prefix="h")
    if not form.validate_on_submit():
        return _page(household_form=form), 400
    n = households.update_household(
        current_user.household,
        current_user.account,
        {"address": form.address.data or "", "caf_number": form.caf_number.data or ""},
    )
    flash("Vos modifications sont enregistrées." if n else "Aucune modification.", "success")
    return redirect(url_for("account.family"))


@bp.route("/ma-famille/responsables/<int:guardian_id>", methods=["POST"])
@parent_required
def guardian_edit(guardian_id: int):
    guardian = Guardian.get_or_none(
        Guardian.id == guardian_id, Guardian.household == current_user.household.id
    )
    if guardian is None:
        abort(404)
    form = GuardianForm(prefix=f"g{guardian.id}")
    if not form.validate_on_submit():
        return _page(guardian_forms={guardian.id: form}), 400
    try:
        households.update_guardian(
            guardian,
            current_user.account,
            {"email": form.email.data or "", "phone": form.phone.data or ""},
        )
    except accounts.AccountError as exc:
        form.email.errors = [str(exc)]
        return _page(guardian_forms={guardian.id: form}), 400
    flash("Les coordonnées sont enregistrées.", "success")
    return redirect(url_for("account.family"))


@bp.route("/ma-famille/personnes-autorisees", methods=["POST"])
@parent_required
def pickup_add():
    form = PickupForm(prefix="p")
    if not form.validate_on_submit():
        return _page(pickup_form=form), 400
    households.add_pickup_person(
        current_user.household,
        current_user.account,
        form.first_name.data,
        form.last_name.data,
        form.phone.data or "",
        form.relation.data or "",
    )
    flash("La personne autorisée est ajoutée.", "success")
    return redirect(url_for("account.family"))


@bp.route("/ma-famille/personnes-autorisees/<int:person_id>/supprimer", methods=["POST"])
@parent_required
def pickup_delete(person_id: int):
    person = PickupPerson.get_or_none(
        PickupPerson.id == person_id, PickupPerson.household == current_user.household.id
    )
    if person is None:
        abort(404)
    if not DeleteForm().validate_on_submit():
        abort(400)
    households.remove_pickup_person(person, current_user.account)
    flash("La personne autorisée est retirée.", "success")
    return redirect(url_for("account.family"))
