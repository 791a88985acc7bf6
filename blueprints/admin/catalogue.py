"""What the town offers: services, sites, units, enrolments and closures."""

from __future__ import annotations

from flask import current_app, flash
from flask_admin.contrib.peewee.filters import FilterEqual, FilterLike
from flask_login import current_user
from wtforms import SelectField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError

from models import Closure, Enrolment, Unit
from workflows import words
from workflows.closures import close_days
from workflows.engine import WorkflowError

from .base import TownModelView
from .security import town_id

APPROVAL_MODES = [
    ("instant", "Immédiate (acceptée à l'envoi)"),
    ("timer", "Automatique (validée par le minuteur)"),
    ("staff", "Par un agent (liste des demandes à traiter)"),
]
DEADLINE_UNITS = [("working_days", "jours ouvrés"), ("calendar_days", "jours calendaires")]
ENROLMENT_STATES = words.choices("enrolment")
DEADLINE_WORDS = "Un délai va de 0 à 60 jours."
WEEKDAYS = Regexp(r"^[1-7]*$", message="Jours ISO : 1 = lundi … 7 = dimanche, ex. « 1245 ».")


class ServiceView(TownModelView):
    can_delete = True  # refused while others depend on it (base.dependents)
    column_list = ("name",)
    column_labels = {"name": "Service"}
    column_searchable_list = ("name",)
    column_default_sort = "name"


class SiteView(TownModelView):
    can_delete = True  # refused while others depend on it (base.dependents)
    column_list = ("name", "address")
    column_labels = {"name": "Structure", "address": "Adresse"}
    column_searchable_list = ("name",)
    column_default_sort = "name"


class UnitView(TownModelView):
    can_delete = True  # refused while others depend on it (base.dependents)
    column_list = (
        "code",
        "label",
        "site",
        "service",
        "weekdays",
        "approval_mode",
        "capacity",
        "waiting_list",
        "book_count",
        "book_unit",
        "book_cutoff",
    )
    column_labels = {
        "code": "Code",
        "label": "Prestation",
        "site": "Structure",
        "service": "Service",
        "weekdays": "Jours (1 = lundi)",
        "holiday_unit": "Vacances scolaires uniquement",
        "approval_mode": "Validation",
        "book_count": "Délai de réservation",
        "book_unit": "Unité du délai de réservation",
        "book_cutoff": "Heure limite de réservation",
        "cancel_count": "Délai d'annulation",
        "cancel_unit": "Unité du délai d'annulation",
        "cancel_cutoff": "Heure limite d'annulation",
        "capacity": "Capacité (vide : illimitée)",
        "waiting_list": "Liste d'attente",
        "position": "Ordre d'affichage",
    }
    column_choices = {
        "approval_mode": APPROVAL_MODES,
        "book_unit": DEADLINE_UNITS,
        "cancel_unit": DEADLINE_UNITS,
    }
    column_searchable_list = ("code", "label")
    column_sortable_list = ("code", "label", "position")
    column_default_sort = "position"
    column_filters = (
        FilterEqual(Unit.approval_mode, "Validation", options=APPROVAL_MODES),
        FilterLike(Unit.code, "Code"),
    )
    form_overrides = {
        "approval_mode": SelectField,
        "book_unit": SelectField,
        "cancel_unit": SelectField,
    }
    form_args = {
        "approval_mode": {"choices": APPROVAL_MODES},
        "book_unit": {"choices": DEADLINE_UNITS},
        "cancel_unit": {"choices": DEADLINE_UNITS},
        "weekdays": {
            "validators": [WEEKDAYS],
            "description": "Ex. « 1245 » : lundi, mardi, jeudi, vendredi.",
        },
        "capacity": {
            "validators": [
                Optional(),
                NumberRange(min=0, message="Une capacité est positive ou nulle."),
            ],
            "description": "Nombre de places par jour ; laissez vide pour ne pas limiter.",
        },
        "book_count": {
            "validators": [InputRequired(), NumberRange(min=0, max=60, message=DEADLINE_WORDS)],
            "description": "Ex. 3 (jours ouvrés) avant le jour, avant l'heure limite (9h00).",
        },
        "cancel_count": {
            "validators": [InputRequired(), NumberRange(min=0, max=60, message=DEADLINE_WORDS)],
            "description": "Ex. 3 (jours ouvrés) avant le jour, avant l'heure limite (9h00).",
        },
    }


class EnrolmentView(TownModelView):
    """Enrolments are created here; their state is the enrolment workflow's and is not
    edited by hand (new ones start active)."""

    column_list = ("child", "service", "site", "start", "end", "usual_days", "state")
    column_labels = {
        "child": "Enfant",
        "service": "Service",
        "site": "Structure",
        "start": "Début",
        "end": "Fin",
        "usual_days": "Jours habituels",
        "state": "État",
    }
    column_choices = {"state": ENROLMENT_STATES}
    column_sortable_list = ("start", "end")
    column_default_sort = ("start", True)
    column_filters = (FilterEqual(Enrolment.state, "État", options=ENROLMENT_STATES),)
    form_excluded_columns = ("state",)
    form_args = {"usual_days": {"validators": [WEEKDAYS]}}

    def on_model_change(self, form, model, is_created):
        if model.end < model.start:
            raise ValidationError("La fin de l'inscription précède son début.")


class ClosureView(TownModelView):
    """Days the town closes (strike, trip, bridge day), for one site or all of them.
    A closure is recorded by `workflows.closures.close_days`, which also cancels the
    bookings it covers (nothing billed); so closures are created by the town's admins,
    and not edited afterwards (delete it and create another)."""

    can_edit = False
    column_list = ("start", "end", "site", "reason")
    column_labels = {
        "start": "Du",
        "end": "Au",
        "site": "Structure (vide : toutes)",
        "reason": "Motif",
    }
    column_sortable_list = ("start", "end")
    column_default_sort = ("start", True)
    column_filters = (FilterLike(Closure.reason, "Motif"),)
    column_formatters = {"site": lambda v, c, m, n: m.site.name if m.site_id else "Toutes"}

    can_delete = True  # who may: workflows/permissions.py

    def save_new(self, form):
        if form.end.data < form.start.data:
            flash("La fin de la fermeture précède son début.", "error")
            return False
        site = form.site.data
        try:
            closure, cancelled = close_days(
                current_user.actor,
                town_id(),
                form.start.data,
                form.end.data,
                form.reason.data or "",
                site.id if site else None,
            )
        except WorkflowError as exc:
            current_app.logger.info("close_days refused: %s", exc)
            flash("Seuls les administrateurs de la commune peuvent fermer des jours.", "error")
            return False
        flash(
            f"Fermeture enregistrée ; {cancelled} réservation(s) annulée(s), sans facturation.",
            "success",
        )
        return closure
