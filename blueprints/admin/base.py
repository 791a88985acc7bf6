"""The base of every model screen: staff only, one town, French labels and dates."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash
from flask_admin.actions import action
from flask_admin.contrib.peewee import ModelView
from flask_admin.model import typefmt

from workflows.calendar import PARIS, from_utc_naive

from .scope import CONDITIONS, scoped
from .security import AdminForm, StaffOnly, town_id

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def date_fr(value: dt.date | None, weekday: bool = False) -> str:
    if value is None:
        return ""
    text = value.strftime("%d/%m/%Y")
    return f"{WEEKDAYS_FR[value.weekday()]} {text}" if weekday else text


def datetime_fr(value: dt.datetime | None) -> str:
    """A naive UTC moment from the database, shown in Paris time."""
    if value is None:
        return ""
    return from_utc_naive(value).astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def _bool_fr(view, value, name=None):
    return "Oui" if value else "Non"


# Flask-Admin picks the first formatter whose type matches (isinstance): datetime before
# date, since a datetime is a date.
FORMATTERS = {
    dt.datetime: lambda view, value, name=None: datetime_fr(value),
    dt.date: lambda view, value, name=None: date_fr(value),
    dt.time: lambda view, value, name=None: value.strftime("%H:%M"),
    bool: _bool_fr,
}
FORMATTERS.update({k: v for k, v in typefmt.BASE_FORMATTERS.items() if k not in FORMATTERS})
DETAIL_FORMATTERS = dict(typefmt.DETAIL_FORMATTERS)
DETAIL_FORMATTERS.update(FORMATTERS)


class TownModelView(StaffOnly, ModelView):
    """A model screen limited to the staff member's town. Lists, details, edits and
    deletes all go through `get_query`, and related-object menus in forms offer only the
    town's rows. A model with its own `town` column gets the staff member's town on
    creation (the field is not in the form)."""

    form_base_class = AdminForm
    column_type_formatters = FORMATTERS
    column_type_formatters_detail = DETAIL_FORMATTERS
    can_view_details = True
    can_delete = False
    can_set_page_size = True
    page_size = 50
    fast_mass_delete = False
    column_display_pk = False
    form_excluded_columns: tuple[str, ...] = ("town",)

    def get_query(self):
        return scoped(self.model, town_id())

    def get_one(self, id):
        try:
            pk = int(id)
        except (TypeError, ValueError):
            abort(404)
        obj = self.get_query().where(self.model._meta.primary_key == pk).first()
        if obj is None:
            abort(404)
        return obj

    def _scope_form(self, form):
        """Related-object menus offer only this town's rows (and accept only them)."""
        for field in form:
            query = getattr(field, "query", None)
            model = getattr(query, "model", None)
            if model in CONDITIONS:
                field.query = scoped(model, town_id())
        return form

    def create_form(self, obj=None):
        return self._scope_form(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._scope_form(super().edit_form(obj))

    def on_model_change(self, form, model, is_created):
        if is_created and "town" in self.model._meta.fields:
            model.town = town_id()

    @action("delete", "Supprimer", "Supprimer les éléments sélectionnés ?")
    def action_delete(self, ids):
        """Flask-Admin's delete, limited to rows of the town."""
        pk = self.model._meta.primary_key
        count = 0
        for obj in self.get_query().where(pk.in_([int(i) for i in ids])):
            self.on_model_delete(obj)
            obj.delete_instance()
            count += 1
        flash(f"{count} élément(s) supprimé(s).", "success")

    def is_action_allowed(self, name):
        if name == "delete" and not self.can_delete:
            return False
        return super().is_action_allowed(name)


class ReadOnlyModelView(TownModelView):
    """Rows that only the workflows change: list and details, nothing else."""

    can_create = False
    can_edit = False
    can_delete = False
