"""The audit log: every workflow transition, who fired it, when, from, to and why."""

from __future__ import annotations

from flask_admin.contrib.peewee.filters import DateTimeBetweenFilter, FilterEqual, FilterLike

from models import AuditEntry, WorkflowHistory
from workflows import audit, journal

from .base import ReadOnlyModelView

WORKFLOWS = [(name, label) for name, (_, label) in journal.MODELS.items()]
ROLES = [
    ("parent", "Parent"),
    ("approver", "Valideur"),
    ("finance", "Régie"),
    ("editor", "Rédacteur"),
    ("reviewer", "Relecteur"),
    ("admin", "Administrateur"),
    ("system", "Système"),
]
TRANSITIONS = sorted(
    {
        (name, f"{t.title or name} ({name})")
        for wf in journal.WORKFLOWS.values()
        for name, t in wf.transitions.items()
    }
)


def _state(view, context, model, name):
    return journal.state_title(model.workflow, getattr(model, name))


class WorkflowHistoryView(ReadOnlyModelView):
    column_list = (
        "at",
        "workflow",
        "object_id",
        "what",
        "transition",
        "from_state",
        "to_state",
        "actor",
        "role",
        "comment",
    )
    column_details_list = column_list + ("line_id",)
    column_labels = {
        "at": "Quand",
        "workflow": "Processus",
        "object_id": "Objet n°",
        "what": "Objet",
        "transition": "Transition",
        "from_state": "De",
        "to_state": "Vers",
        "actor": "Qui",
        "role": "Rôle",
        "comment": "Motif / commentaire",
        "line_id": "Ligne de demande n°",
    }
    column_choices = {"workflow": WORKFLOWS, "role": ROLES}
    column_formatters = {
        "transition": lambda v, c, m, n: journal.transition_title(m.workflow, m.transition),
        "from_state": _state,
        "to_state": _state,
        "actor": lambda v, c, m, n: str(m.actor) if m.actor_id else "Système",
        "what": lambda v, c, m, n: getattr(m, "described", ""),
    }
    column_sortable_list = ("at",)
    column_default_sort = ("at", True)
    column_filters = (
        FilterEqual(WorkflowHistory.workflow, "Processus", options=WORKFLOWS),
        FilterEqual(WorkflowHistory.transition, "Transition", options=TRANSITIONS),
        FilterEqual(WorkflowHistory.role, "Rôle", options=ROLES),
        FilterEqual(WorkflowHistory.object_id, "Objet n°"),
        FilterLike(WorkflowHistory.comment, "Motif"),
        DateTimeBetweenFilter(WorkflowHistory.at, "Quand"),
    )

    def get_list(self, *args, **kwargs):
        """The page's rows, each with its object's name (one query per kind of object)."""
        count, rows = super().get_list(*args, **kwargs)
        rows = list(rows)
        names = journal.describe((r.workflow, r.object_id) for r in rows)
        for r in rows:
            r.described = names[r.workflow, r.object_id]
        return count, rows

    def get_one(self, id):
        row = super().get_one(id)
        if row is not None:
            row.described = journal.describe([(row.workflow, row.object_id)])[
                row.workflow, row.object_id
            ]
        return row


def _changes(view, context, model, name):
    return audit.changes_text(model)


class AuditView(ReadOnlyModelView):
    """The staff's changes (workflows/audit.py): read, filtered, exported; never changed."""

    column_list = ("at", "who", "action", "kind", "what", "changes", "reason")
    column_details_list = column_list
    column_labels = {
        "at": "Quand",
        "who": "Qui",
        "action": "Action",
        "kind": "Type d'objet",
        "what": "Objet",
        "changes": "Avant → après",
        "reason": "Motif",
        "object_id": "N° d'objet",
    }
    column_formatters = {
        "action": lambda v, c, m, n: audit.ACTIONS.get(m.action, m.action),
        "changes": _changes,
    }
    column_formatters_export = column_formatters
    column_default_sort = ("at", True)
    column_sortable_list = ("at", "who", "kind")
    column_searchable_list = ("what", "who", "reason", "changes")
    column_filters = (
        FilterLike(AuditEntry.who, "Qui"),
        FilterEqual(
            AuditEntry.kind, "Type d'objet", options=sorted((k, k) for k in audit.KINDS.values())
        ),
        FilterEqual(AuditEntry.object_id, "N° d'objet"),
        DateTimeBetweenFilter(AuditEntry.at, "Quand"),
    )
    can_export = True
    export_types = ["csv"]
