"""Mes inscriptions: each child's enrolments and their state, the online request for a
service the town opens to it, withdrawing a request, and the enrolment certificate (PDF)."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, widgets
from wtforms.validators import DataRequired

from models import Child
from models.catalogue import Enrolment
from workflows import documents, enrolment_rules, enrolments, words
from workflows.engine import WorkflowError

from ..auth import parent_required
from .blueprint import bp

DAYS = [("1", "Lundi"), ("2", "Mardi"), ("3", "Mercredi"), ("4", "Jeudi"), ("5", "Vendredi")]


class EnrolmentRequestForm(FlaskForm):
    child = SelectField("Enfant", validators=[DataRequired("Choisissez l'enfant.")])
    year = SelectField("Année scolaire", validators=[DataRequired("Choisissez l'année.")])
    offer = SelectField("Service et structure", validators=[DataRequired("Choisissez le service.")])
    days = SelectMultipleField(
        "Jours de fréquentation habituels",
        choices=DAYS,
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )


class PlainForm(FlaskForm):
    pass


def _own_enrolment(enrolment_id: int) -> Enrolment:
    enrolment = (
        Enrolment.select(Enrolment, Child)
        .join(Child)
        .where(Enrolment.id == enrolment_id, Child.household == current_user.household.id)
        .first()
    )
    if enrolment is None:
        abort(404)
    return enrolment


def _request_form() -> EnrolmentRequestForm:
    h = current_user.household
    form = EnrolmentRequestForm()
    form.child.choices = [
        (str(c.id), c.first_name)
        for c in Child.select().where(Child.household == h.id).order_by(Child.first_name)
    ]
    form.year.choices = [
        (f"{s.isoformat()}_{e.isoformat()}", f"{s.year}–{e.year}")
        for s, e in enrolments.school_years(h.town_id)
    ]
    form.offer.choices = [
        (f"{o.service_id}_{o.site_id}", f"{o.service.name} – {o.site.name}")
        for o in enrolments.offers(h.town_id)
    ]
    return form


@bp.route("/mes-inscriptions")
@parent_required
def enrolments_list():
    h = current_user.household
    rows = list(enrolments.of_household(h.id))
    ranks = {e.id: enrolment_rules.waiting_rank(e) for e in rows if e.state == "waiting"}
    children = list(Child.select().where(Child.household == h.id).order_by(Child.first_name))
    return render_template(
        "account/enrolments.html",
        children=children,
        rows=rows,
        ranks=ranks,
        states=words.titles("enrolment"),
        can_request=enrolments.offers(h.town_id).exists(),
        plain_form=PlainForm(),
    )


@bp.route("/mes-inscriptions/demande", methods=["GET", "POST"])
@parent_required
def enrolment_request():
    form = _request_form()
    if form.validate_on_submit():
        try:
            start, end = (dt.date.fromisoformat(x) for x in form.year.data.split("_"))
            service_id, site_id = (int(x) for x in form.offer.data.split("_"))
            spec = enrolments.EnrolmentSpec(
                int(form.child.data), service_id, site_id, start, end, "".join(form.days.data or [])
            )
            enrolments.request_enrolment(current_user.actor, spec)
        except (ValueError, TypeError):
            form.offer.errors = ["Ce choix n'est pas valable."]
        except enrolments.EnrolmentError as exc:
            form.offer.errors = [str(exc)]
        else:
            flash(
                "Votre demande d'inscription est envoyée. Le service de la mairie vous "
                "répondra par e-mail.",
                "success",
            )
            return redirect(url_for("account.enrolments_list"))
    return render_template("account/enrolment_request.html", form=form)


@bp.route("/mes-inscriptions/<int:enrolment_id>/retirer", methods=["POST"])
@parent_required
def enrolment_withdraw(enrolment_id: int):
    enrolment = _own_enrolment(enrolment_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        enrolments.withdraw(current_user.actor, enrolment.id)
    except WorkflowError as exc:
        flash(enrolments.refusal_fr(exc), "error")
    else:
        flash("Votre demande est retirée.", "success")
    return redirect(url_for("account.enrolments_list"))


@bp.route("/mes-inscriptions/<int:enrolment_id>/attestation.pdf")
@parent_required
def enrolment_certificate(enrolment_id: int):
    enrolment = _own_enrolment(enrolment_id)
    if enrolment.state not in ("active", "ended"):
        abort(404)
    try:
        pdf = documents.render(
            "enrolment_certificate.html", **enrolments.certificate_values(enrolment)
        )
    except RuntimeError:
        current_app.logger.exception("certificate rendering failed")
        abort(500)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="attestation-inscription-{enrolment.id}.pdf"'
        },
    )
