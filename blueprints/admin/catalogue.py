"""What the town offers: services, sites, units, enrolments and closures."""

from __future__ import annotations

from flask import current_app, flash
from flask_admin.contrib.peewee.filters import FilterEqual, FilterLike
from flask_login import current_user
from peewee import fn
from wtforms import SelectField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from models import Closure, Enrolment, Service, Site, Unit
from workflows import french, words
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
REQUIRED = "Ce champ est obligatoire."
DEADLINE_CHECKS = [InputRequired(REQUIRED), NumberRange(min=0, max=60, message=DEADLINE_WORDS)]
WEEKDAYS = Regexp(r"^[1-7]*$", message="Jours ISO : 1 = lundi … 7 = dimanche, ex. « 1245 ».")


def _same_name(model, form, own_id) -> list[tuple[str, str]]:
    """A second service (or site) of the town with the same name is refused."""
    name = (form.name.data or "").strip()
    q = model.select().where(model.town == town_id(), fn.LOWER(model.name) == name.lower())
    if own_id is not None:
        q = q.where(model.id != own_id)
    if name and q.exists():
        return [("name", f"« {name} » existe déjà dans la commune.")]
    return []


def _period_checks(form, message: str, start: str = "start", end: str = "end"):
    """An end before its start is refused beside the end."""
    first, last = getattr(form, start).data, getattr(form, end).data
    if first and last and last < first:
        return [(end, message)]
    return []


class ServiceView(TownModelView):
    can_delete = True  # refused while others depend on it (base.dependents)
    column_list = ("name",)
    column_labels = {"name": "Service"}
    column_searchable_list = ("name",)
    column_default_sort = "name"
    form_args = {
        "name": {
            "validators": [DataRequired(REQUIRED), Length(max=200)],
            "description": "Ce que les familles voient : « Restauration scolaire », "
            "« Accueil périscolaire », « ALSH mercredi ».",
        }
    }

    def form_checks(self, form, own_id):
        return _same_name(Service, form, own_id)


class SiteView(TownModelView):
    can_delete = True  # refused while others depend on it (base.dependents)
    column_list = ("name", "address")
    column_labels = {"name": "Structure", "address": "Adresse"}
    column_searchable_list = ("name",)
    column_default_sort = "name"
    form_args = {
        "name": {
            "validators": [DataRequired(REQUIRED), Length(max=200)],
            "description": "L'école ou le centre de loisirs : « École Jean Moulin ».",
        },
        "address": {
            "validators": [Length(max=255)],
            "description": "Facultative ; affichée aux familles avec la structure.",
        },
    }

    def form_checks(self, form, own_id):
        return _same_name(Site, form, own_id)


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
        "cancel_count",
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
        "exclusive_group": "Groupe exclusif",
    }
    column_choices = {"approval_mode": APPROVAL_MODES}
    column_formatters = {
        "book_count": lambda v, c, m, n: french.deadline_rule(
            m.book_count, m.book_unit, m.book_cutoff
        ),
        "cancel_count": lambda v, c, m, n: french.deadline_rule(
            m.cancel_count, m.cancel_unit, m.cancel_cutoff
        ),
        "capacity": lambda v, c, m, n: "illimitée" if m.capacity is None else m.capacity,
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
        "code": {
            "validators": [DataRequired(REQUIRED), Length(max=40)],
            "description": "Court et unique dans la structure : « REPAS », « GARDERIE MATIN » "
            "(sur les factures et les exports).",
        },
        "label": {
            "validators": [DataRequired(REQUIRED), Length(max=200)],
            "description": "Le nom que lisent les familles dans leur planning : « Repas ».",
        },
        "service": {"description": "Le service dont elle fait partie (les inscriptions)."},
        "site": {"description": "L'école ou le centre où elle a lieu."},
        "holiday_unit": {
            "description": "Cochée : réservable seulement pendant les vacances scolaires "
            "(ALSH vacances) ; sinon seulement hors vacances, dans l'année scolaire."
        },
        "approval_mode": {
            "choices": APPROVAL_MODES,
            "description": "Qui valide une réservation : personne (immédiate), le minuteur "
            "(places et délais vérifiés) ou un agent.",
        },
        "book_unit": {"choices": DEADLINE_UNITS},
        "cancel_unit": {"choices": DEADLINE_UNITS},
        "book_cutoff": {"description": "Ex. 09:00 : « 3 jours ouvrés avant, avant 9h00 »."},
        "cancel_cutoff": {"description": "Ex. 09:00 : « 3 jours ouvrés avant, avant 9h00 »."},
        "weekdays": {
            "validators": [DataRequired(REQUIRED), WEEKDAYS],
            "description": "Ex. « 1245 » : lundi, mardi, jeudi, vendredi.",
        },
        "capacity": {
            "validators": [
                Optional(),
                NumberRange(min=0, message="Une capacité est positive ou nulle."),
            ],
            "description": "Nombre de places par jour ; laissez vide pour ne pas limiter.",
        },
        "waiting_list": {
            "description": "Cochée : une demande au-delà des places attend son tour au lieu "
            "d'être refusée."
        },
        "book_count": {
            "validators": [
                InputRequired(REQUIRED),
                NumberRange(min=0, max=60, message=DEADLINE_WORDS),
            ],
            "description": "Ex. 3, en jours ouvrés, heure limite 9h00 : on réserve jusqu'à "
            "« 3 jours ouvrés avant, avant 9h00 ».",
        },
        "cancel_count": {
            "validators": [
                InputRequired(REQUIRED),
                NumberRange(min=0, max=60, message=DEADLINE_WORDS),
            ],
            "description": "Ex. 3, en jours ouvrés, heure limite 9h00 : on annule jusqu'à "
            "« 3 jours ouvrés avant, avant 9h00 ».",
        },
        "position": {"description": "Les prestations s'affichent par ordre croissant."},
        "exclusive_group": {
            "description": "Les prestations d'un même groupe s'excluent un même jour "
            "(« repas » : le repas de la cantine ou le panier-repas PAI) ; vide : aucun."
        },
    }

    def form_checks(self, form, own_id):
        """A second unit with the same code at the same site is refused."""
        code = (form.code.data or "").strip()
        site = form.site.data
        if not code or site is None:
            return []
        q = Unit.select().where(Unit.site == site.id, fn.UPPER(Unit.code) == code.upper())
        if own_id is not None:
            q = q.where(Unit.id != own_id)
        if q.exists():
            return [("code", f"Le code « {code} » existe déjà dans cette structure.")]
        return []


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
    form_args = {
        "usual_days": {
            "validators": [WEEKDAYS],
            "description": "Les jours où l'enfant vient d'habitude, ex. « 1245 ».",
        }
    }

    def form_checks(self, form, own_id):
        return _period_checks(form, "La fin de l'inscription précède son début.")

    def on_model_change(self, form, model, is_created):
        if model.end < model.start:
            raise ValidationError("La fin de l'inscription précède son début.")


class ClosureView(TownModelView):
    """Days the town closes (strike, trip, bridge day), for all sites, one site, or one unit.
    A closure is recorded by `workflows.closures.close_days`, which also cancels the
    bookings it covers (nothing billed); so closures are created by the town's admins,
    and not edited afterwards (delete it and create another)."""

    can_edit = False
    column_list = ("start", "end", "site", "unit", "reason")
    column_labels = {
        "start": "Du",
        "end": "Au",
        "site": "Structure (vide : toutes)",
        "unit": "Prestation (vide : toutes)",
        "reason": "Motif",
    }
    column_sortable_list = ("start", "end")
    column_default_sort = ("start", True)
    column_filters = (FilterLike(Closure.reason, "Motif"),)
    column_formatters = {
        "site": lambda v, c, m, n: m.site.name if m.site_id else "Toutes",
        "unit": lambda v, c, m, n: m.unit.label if m.unit_id else "Toutes",
    }

    can_delete = True  # who may: workflows/permissions.py
    form_args = {
        "site": {"description": "Vide : toutes les structures de la commune."},
        "unit": {
            "description": "Vide : toutes les prestations. Une seule (la garderie, pas la "
            "cantine) : choisissez-la ; sa structure suit."
        },
        "reason": {"description": "Le message que lisent les familles : « Grève », « Pont »."},
    }

    def form_checks(self, form, own_id):
        problems = _period_checks(form, "La fin de la fermeture précède son début.")
        site, unit = form.site.data, form.unit.data
        if site and unit and unit.site_id != site.id:
            problems.append(("unit", f"Cette prestation est celle de « {unit.site.name} »."))
        return problems

    def save_new(self, form):
        if form.end.data < form.start.data:
            flash("La fin de la fermeture précède son début.", "error")
            return False
        site, unit = form.site.data, form.unit.data
        try:
            closure, cancelled = close_days(
                current_user.actor,
                town_id(),
                form.start.data,
                form.end.data,
                form.reason.data or "",
                site.id if site else None,
                unit.id if unit else None,
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
