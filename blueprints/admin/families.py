"""Households, guardians, children and the logins (accounts)."""

from __future__ import annotations

from flask_admin.contrib.peewee.filters import BooleanEqualFilter, FilterLike
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from models import Account, Child
from models.accounts import AccountSession
from workflows import permissions
from workflows.permissions import STAFF_ROLES

from .base import TownModelView
from .exports import ExportedList


class HouseholdView(ExportedList, TownModelView):
    column_list = ("name", "address", "caf_number", "qf", "qf_updated", "dependent_children")
    column_labels = {
        "name": "Nom du foyer",
        "address": "Adresse",
        "caf_number": "N° allocataire CAF",
        "qf": "Quotient familial",
        "qf_updated": "QF mis à jour le",
        "dependent_children": "Enfants à charge",
        "reminders": "Rappels avant la fin des réservations",
    }
    column_searchable_list = ("name", "caf_number")
    column_sortable_list = ("name", "qf")
    column_default_sort = "name"


class GuardianView(TownModelView):
    column_list = (
        "civility",
        "first_name",
        "last_name",
        "household",
        "email",
        "phone",
        "is_reference",
    )
    column_labels = {
        "civility": "Civilité",
        "first_name": "Prénom",
        "last_name": "Nom",
        "household": "Foyer",
        "email": "E-mail",
        "phone": "Téléphone",
        "is_reference": "Responsable de référence",
        "account": "Compte",
    }
    column_searchable_list = ("first_name", "last_name", "email")
    column_sortable_list = ("last_name", "first_name")
    column_default_sort = "last_name"
    form_excluded_columns = ("account",)  # logins are linked by the adhesion flow


class ChildView(TownModelView):
    column_list = (
        "first_name",
        "last_name",
        "household",
        "birth_date",
        "school",
        "class_name",
        "meal_option",
        "has_pai",
    )
    column_labels = {
        "first_name": "Prénom",
        "last_name": "Nom",
        "household": "Foyer",
        "birth_date": "Date de naissance",
        "school": "École",
        "class_name": "Classe",
        "meal_option": "Régime alimentaire",
        "has_pai": "PAI",
    }
    column_searchable_list = ("first_name", "last_name")
    column_sortable_list = ("last_name", "first_name", "birth_date")
    column_default_sort = "last_name"
    column_filters = (
        FilterLike(Child.school, "École"),
        FilterLike(Child.class_name, "Classe"),
        BooleanEqualFilter(Child.has_pai, "PAI"),
    )


class RolesField(SelectMultipleField):
    """The roles as checkboxes, from the permission table (stored comma-separated)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_data(self, value):
        self.data = sorted(permissions.parse_roles(value)) if isinstance(value, str) else []

    def populate_obj(self, obj, name):
        setattr(obj, name, ",".join(r for r in STAFF_ROLES if r in (self.data or [])))


class AccountView(TownModelView):
    """Logins of the town: its staff and its parents. The password hash is never shown;
    only the town's administrators change roles or deactivate an account."""

    can_create = False
    column_list = ("email", "display_name", "is_staff", "roles", "is_active", "created_at")
    column_details_list = column_list
    column_labels = {
        "email": "E-mail",
        "display_name": "Nom affiché",
        "is_staff": "Agent",
        "roles": "Rôles",
        "is_active": "Actif",
        "created_at": "Créé le",
    }
    column_searchable_list = ("email",)
    column_sortable_list = ("email", "created_at")
    column_default_sort = "email"
    column_filters = (
        BooleanEqualFilter(Account.is_staff, "Agent"),
        BooleanEqualFilter(Account.is_active, "Actif"),
    )
    form_columns = ("display_name", "is_active", "roles")
    form_overrides = {"roles": RolesField}
    form_args = {
        "roles": {
            "label": "Rôles",
            "choices": [(r, permissions.ROLE_LABELS[r]) for r in STAFF_ROLES],
            "description": "Ce que l'agent peut ouvrir et faire (workflows/permissions.py).",
        },
        "is_active": {"label": "Actif"},
        "display_name": {
            "label": "Nom affiché",
            "description": "Facultatif : le nom que l'historique d'un foyer montre pour "
            "ce que l'agent a fait (sinon son e-mail).",
        },
    }

    def on_model_change(self, form, model, is_created):
        if not model.is_staff:
            model.roles = ""  # roles are for staff only
        # Ending every session of the account when it is deactivated or its roles change
        # (not for its display name).
        old = Account.get_or_none(Account.id == model.id)
        if old is None or (old.roles, old.is_active) != (model.roles, model.is_active):
            model.session_version = model.session_version + 1
        if not model.is_active:
            AccountSession.delete().where(AccountSession.account == model.id).execute()
