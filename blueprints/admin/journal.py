"""« Journal de la commune »: the workflow history and the staff's changes in one list
(workflows/journal.py), filtered by who, kind, object, dates and free text, exported as CSV.
Read only: the screen has no route that writes."""

from __future__ import annotations

from flask import Response, request
from flask_admin import BaseView, expose
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional

from models import WorkflowHistory
from workflows import exports, journal

from .base import datetime_fr
from .scope import in_town
from .security import AdminForm, StaffOnly, town_id

PAGE = 50
EXPORT_MAX = 50_000


class JournalFilters(AdminForm):
    class Meta(AdminForm.Meta):
        csrf = False  # a GET form: it reads, never writes

    who = StringField("Qui (adresse ou rôle)", validators=[Optional()])
    kind = SelectField("Type d'objet", validators=[Optional()])
    object_id = IntegerField(
        "N° d'objet", validators=[Optional(), NumberRange(1, 2**62, "Numéro invalide.")]
    )
    start = DateField("Du", validators=[Optional()])
    end = DateField("Au", validators=[Optional()])
    text = StringField("Texte (objet, motif, valeurs)", validators=[Optional()])


def _filters() -> tuple[JournalFilters, journal.Filters]:
    form = JournalFilters(request.args)
    form.kind.choices = [("", "Tous")] + [(k, k) for k in journal.kinds()]
    if not form.validate():
        return form, journal.Filters()
    if form.start.data and form.end.data and form.end.data < form.start.data:
        form.end.errors = ["La date de fin précède la date de début."]
        return form, journal.Filters()
    return form, journal.Filters(
        who=form.who.data or "",
        kind=form.kind.data or "",
        object_id=form.object_id.data,
        start=form.start.data,
        end=form.end.data,
        text=form.text.data or "",
    )


class JournalView(StaffOnly, BaseView):
    @expose("/")
    def index(self):
        form, filters = _filters()
        page = max(request.args.get("page", 1, type=int), 1)
        total, rows = journal.entries(
            town_id(), in_town(WorkflowHistory, town_id()), filters, PAGE, (page - 1) * PAGE
        )
        args = {k: v for k, v in request.args.items() if k != "page"}
        return self.render(
            "admin/journal.html",
            form=form,
            rows=rows,
            total=total,
            page=page,
            pages=max((total + PAGE - 1) // PAGE, 1),
            args=args,
            when=datetime_fr,
        )

    @expose("/export.csv")
    def export(self):
        _, filters = _filters()
        _, rows = journal.entries(
            town_id(), in_town(WorkflowHistory, town_id()), filters, EXPORT_MAX
        )
        data = exports.Export(
            ("Quand", "Qui", "Type d'objet", "N° d'objet", "Objet", "Action", "Détail", "Motif"),
            [
                (
                    datetime_fr(r.at),
                    r.who,
                    r.kind,
                    r.object_id or "",
                    r.what,
                    r.action,
                    r.details,
                    r.reason,
                )
                for r in rows
            ],
        )
        return Response(
            exports.to_csv(data),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=journal.csv"},
        )


def register(admin, app) -> None:
    admin.add_view(
        JournalView(
            name="Journal de la commune", endpoint="admin_journal", url="/admin/journal-commune"
        )
    )
