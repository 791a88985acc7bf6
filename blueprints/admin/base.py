"""The base of every model screen: staff only, one town, French labels and dates."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, has_request_context, request
from flask_admin.actions import action
from flask_admin.contrib.peewee import ModelView
from flask_admin.contrib.peewee.form import CustomModelConverter
from flask_admin.model import typefmt
from flask_login import current_user
from peewee import IntegrityError
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtfpeewee.orm import ValueRequired

from models import AuditEntry, transaction
from workflows import audit, french
from workflows.calendar import PARIS, from_utc_naive

from .fields import NativeDateField, NativeTimeField
from .scope import CONDITIONS, scoped
from .security import AdminForm, StaffOnly, may, town_id

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
    dt.date: lambda view, value, name=None: french.short_day(value),  # lun. 4 janv. 2027
    dt.time: lambda view, value, name=None: value.strftime("%H:%M"),
    bool: _bool_fr,
}
FORMATTERS.update({k: v for k, v in typefmt.BASE_FORMATTERS.items() if k not in FORMATTERS})
DETAIL_FORMATTERS = dict(typefmt.DETAIL_FORMATTERS)
DETAIL_FORMATTERS.update(FORMATTERS)


def dependents(obj) -> list[str]:
    """What refers to `obj`, in words ("3 Réservation(s)"), the audit's rows aside."""
    found = []
    for fk, model in obj._meta.backrefs.items():
        if model is AuditEntry:
            continue
        n = model.select().where(fk == obj._pk).count()
        if n:
            found.append(f"{n} {audit.kind_of(model).lower()}(s)")
    return found


REASON = TextAreaField(
    "Motif de la modification (facultatif, gardé dans le journal)",
    validators=[Optional(), Length(max=500, message="500 caractères au plus.")],
)


class FrenchConverter(CustomModelConverter):
    """Flask-Admin's form converter, with the browser's own date input for dates (its
    datepicker reads "Su Mo Tu"; the browser's is in its language, Monday first in French)."""

    def handle_date(self, model, field, **kwargs):
        kwargs.pop("widget", None)
        # InputRequired rather than wtfpeewee's ValueRequired, which would hide "Date
        # invalide" behind "Ce champ est requis." when the typed date cannot be read
        kwargs["validators"] = [
            InputRequired() if isinstance(v, (DataRequired, ValueRequired)) else v
            for v in kwargs.get("validators", [])
        ]
        return field.name, NativeDateField(**kwargs)

    def handle_time(self, model, field, **kwargs):
        kwargs.pop("widget", None)
        return field.name, NativeTimeField(**kwargs)


class _Undone(Exception):
    """A save Flask-Admin refused (it flashed why): roll back what was written."""


class _Guarded:
    """A model screen's `can_create`, `can_edit`... : what the screen itself offers (the
    value a screen sets, a bool or a property) and what the permission table gives the
    staff member's roles. Flask-Admin reads these to show buttons and to accept the
    views; `StaffOnly._handle_view` answers 403 before either."""

    def __init__(self, own, action: str) -> None:
        self.own = own
        self.action = action

    def __get__(self, view, owner=None):
        if view is None:
            return self
        own = self.own.__get__(view, owner) if hasattr(self.own, "__get__") else self.own
        if not own or not has_request_context():
            return own
        return may(view.endpoint, self.action)


GUARDED = {
    "can_create": "create",
    "can_edit": "edit",
    "can_delete": "delete",
    "can_export": "export",
    "can_view_details": "view",
}


class TownModelView(StaffOnly, ModelView):
    """A model screen limited to the staff member's town. Lists, details, edits and
    deletes all go through `get_query`, and related-object menus in forms offer only the
    town's rows. A model with its own `town` column gets the staff member's town on
    creation (the field is not in the form)."""

    form_base_class = AdminForm
    model_form_converter = FrenchConverter
    column_type_formatters = FORMATTERS
    column_type_formatters_detail = DETAIL_FORMATTERS
    can_view_details = True
    can_delete = False
    can_set_page_size = True
    page_size = 50
    fast_mass_delete = False
    column_display_pk = False
    form_excluded_columns: tuple[str, ...] = ("town",)

    def __init_subclass__(cls, **kwargs):
        """Every screen's own `can_…` goes through the permission table too."""
        super().__init_subclass__(**kwargs)
        for attr, table_action in GUARDED.items():
            own = cls.__dict__.get(attr)
            if own is not None and not isinstance(own, _Guarded):
                setattr(cls, attr, _Guarded(own, table_action))

    def scaffold_form(self):
        """The form's labels are the columns' French labels (never "Book Cutoff"), unless
        `form_args` names its own."""
        own = self.form_args or {}
        labels = self.column_labels or {}
        self.form_args = {
            name: {**({"label": labels[name]} if name in labels else {}), **own.get(name, {})}
            for name in set(labels) | set(own)
        }
        try:
            return super().scaffold_form()
        finally:
            self.form_args = own

    def form_checks(self, form, own_id: int | None) -> list[tuple[str, str]]:
        """A screen's checks across fields or rows (a duplicate, an end before a start), as
        (field name, French message) shown beside the field; none by default."""
        return []

    def validate_form(self, form):
        if not super().validate_form(form):
            return False
        if (request.endpoint or "").rpartition(".")[2] not in ("create_view", "edit_view"):
            return True  # the delete and batch forms
        refused = self.form_checks(form, request.args.get("id", type=int))
        for name, message in refused:
            field = getattr(form, name)
            field.errors = [*field.errors, message]
        return not refused

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

    def get_form(self):
        """Every create and edit form ends with the reason the audit keeps (optional)."""
        form = super().get_form()
        return type(form.__name__, (form,), {"audit_reason": REASON})

    def create_form(self, obj=None):
        return self._scope_form(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._scope_form(super().edit_form(obj))

    # The audit: every create, edit and delete writes its row (workflows/audit.py) in the
    # same transaction as the change; a refused save leaves nothing (not even half).
    def save_new(self, form):
        """What creating does (a screen whose creation is an operation overrides this)."""
        return ModelView.create_model(self, form)

    def _in_transaction(self, work):
        try:
            with transaction():
                result = work()
                if not result:
                    raise _Undone
                return result
        except _Undone:
            return False

    def _audit(self, action: str, obj, before, after, form=None) -> None:
        kind = audit.kind_of(self.model)
        reason = getattr(getattr(form, "audit_reason", None), "data", None) or ""
        audit.record(
            current_user.account, town_id(), action, kind, obj, before, after, reason.strip()
        )

    def handle_view_exception(self, exc):
        """A refused save says why in French (never "UNIQUE constraint failed")."""
        if isinstance(exc, IntegrityError):
            flash("Enregistrement refusé : un élément identique existe déjà.", "error")
            return True
        if isinstance(exc, ValueError):  # the screens' own checks, already in French
            flash(f"Enregistrement refusé : {exc}", "error")
            return True
        return super().handle_view_exception(exc)

    def create_model(self, form):
        def work():
            obj = self.save_new(form)
            if obj:
                self._audit("create", obj, None, audit.snapshot(obj), form)
            return obj

        return self._in_transaction(work)

    def update_model(self, form, model):
        before = audit.snapshot(model)

        def work():
            done = ModelView.update_model(self, form, model)
            if done:
                self._audit("edit", model, before, audit.snapshot(model), form)
            return done

        return self._in_transaction(work)

    def delete_model(self, model):
        def work():
            if not self._may_delete(model):
                return False
            self.on_model_delete(model)
            model.delete_instance()
            self.after_model_delete(model)
            return True

        return self._in_transaction(work)

    def _may_delete(self, obj) -> bool:
        """Nothing that others depend on is deleted (never in cascade): say what does."""
        uses = dependents(obj)
        if uses:
            flash(
                f"« {obj} » n'est pas supprimé : {', '.join(uses)} en dépendent. "
                "Gardez-le (ou modifiez-le) plutôt que de le supprimer.",
                "error",
            )
        return not uses

    def on_model_delete(self, model):
        self._audit("delete", model, audit.snapshot(model), None)

    def on_model_change(self, form, model, is_created):
        if is_created and "town" in self.model._meta.fields:
            model.town = town_id()

    @action("delete", "Supprimer", "Supprimer les éléments sélectionnés ?")
    def action_delete(self, ids):
        """Flask-Admin's delete, limited to rows of the town."""
        pk = self.model._meta.primary_key
        count = 0
        with transaction():
            for obj in self.get_query().where(pk.in_([int(i) for i in ids])):
                if not self._may_delete(obj):
                    continue
                self.on_model_delete(obj)
                obj.delete_instance()
                count += 1
        flash(f"{count} élément(s) supprimé(s).", "success")

    def is_action_allowed(self, name):
        if name == "delete" and not self.can_delete:
            return False
        return may(self.endpoint, name) and super().is_action_allowed(name)


for _attr, _action in GUARDED.items():
    setattr(TownModelView, _attr, _Guarded(getattr(TownModelView, _attr), _action))


class ReadOnlyModelView(TownModelView):
    """Rows that only the workflows change: list and details, nothing else."""

    can_create = False
    can_edit = False
    can_delete = False
