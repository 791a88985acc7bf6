"""The town's journal: what happened, said readably. One list of the workflow history (every
transition, workflows/engine) and of the staff's changes (the audit, workflows/audit.py),
filtered by who, what kind of object, which object, a date range and free text; and the
name of each history row's object ("Hugo Martin – Repas – lun. 4 janv. 2027" rather than
"Objet n° 1234").

Both tables are only ever inserted into; nothing here changes them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN, SQL, Value, fn

from models import (
    Account,
    AuditEntry,
    Booking,
    Child,
    ContentItem,
    Enrolment,
    Household,
    Invoice,
    InvoicingRun,
    Opening,
    Payment,
    Request,
    RequestLine,
    Service,
    Unit,
    WorkflowHistory,
)

from . import definitions, french
from .audit import ACTIONS, changes_text

# Each workflow's objects, and their kind's French name (the audit's kinds say the same).
MODELS = {
    "booking": (Booking, "Réservation"),
    "request": (Request, "Demande"),
    "request_line": (RequestLine, "Ligne de demande"),
    "invoice": (Invoice, "Facture"),
    "payment": (Payment, "Paiement"),
    "enrolment": (Enrolment, "Inscription"),
    "invoicing_run": (InvoicingRun, "Facturation du mois"),
    "content": (ContentItem, "Contenu"),
    "opening": (Opening, "Ouverture de places"),
}
WORKFLOWS = {
    wf.name: wf
    for wf in (
        definitions.BOOKING,
        definitions.REQUEST,
        definitions.REQUEST_LINE,
        definitions.INVOICE,
        definitions.PAYMENT,
        definitions.ENROLMENT,
        definitions.INVOICING_RUN,
        definitions.CONTENT,
        definitions.OPENING,
    )
}


def _child(child: Child) -> str:
    return f"{child.first_name} {child.last_name}"


def _day_unit(child: Child, unit: Unit, day: dt.date) -> str:
    return f"{_child(child)} – {unit.label} – {french.day(day, weekday=True, year=True)}"


def _by_id(query) -> dict[int, object]:
    return {row.id: row for row in query}


def _names(workflow: str, ids: set[int]) -> dict[int, str]:
    """The readable name of each object of `workflow` among `ids` (one query per kind)."""
    if workflow in ("booking", "request_line"):
        model = Booking if workflow == "booking" else RequestLine
        rows = (
            model.select(model, Child, Unit)
            .join(Child, on=(model.child == Child.id))
            .switch(model)
            .join(Unit, on=(model.unit == Unit.id))
            .where(model.id.in_(ids))
        )
        return {r.id: _day_unit(r.child, r.unit, r.date) for r in rows}
    if workflow == "request":
        rows = (
            Request.select(Request, Child)
            .join(Child, on=(Request.child == Child.id))
            .where(Request.id.in_(ids))
        )
        return {r.id: f"Demande n° {r.id} – {_child(r.child)}" for r in rows}
    if workflow in ("invoice", "payment"):
        model = Invoice if workflow == "invoice" else Payment
        rows = (
            model.select(model, Household)
            .join(Household, on=(model.household == Household.id))
            .where(model.id.in_(ids))
        )
        if workflow == "invoice":
            return {
                r.id: f"Facture {r.number or '(brouillon)'} – {r.household.name}"
                f" – {french.month(r.month)}"
                for r in rows
            }
        return {r.id: f"Paiement n° {r.id} – {r.household.name}" for r in rows}
    if workflow == "enrolment":
        rows = (
            Enrolment.select(Enrolment, Child, Service)
            .join(Child, on=(Enrolment.child == Child.id))
            .switch(Enrolment)
            .join(Service, on=(Enrolment.service == Service.id))
            .where(Enrolment.id.in_(ids))
        )
        return {r.id: f"{_child(r.child)} – {r.service.name}" for r in rows}
    if workflow == "invoicing_run":
        rows = InvoicingRun.select().where(InvoicingRun.id.in_(ids))
        return {r.id: f"Facturation de {french.month(r.month)}" for r in rows}
    if workflow == "content":
        return {r.id: r.title for r in ContentItem.select().where(ContentItem.id.in_(ids))}
    if workflow == "opening":
        return {r.id: r.label for r in Opening.select().where(Opening.id.in_(ids))}
    return {}


def describe(pairs) -> dict[tuple[str, int], str]:
    """{(workflow, object id): "Hugo Martin – Repas – lun. 4 janv. 2027"} for history rows'
    (workflow, object_id) pairs; an object deleted since reads "<kind> n° <id> (supprimé)"."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for workflow, object_id in pairs:
        wanted[workflow].add(object_id)
    names = {}
    for workflow, ids in wanted.items():
        found = _names(workflow, ids)
        kind = MODELS.get(workflow, (None, workflow))[1]
        for object_id in ids:
            names[workflow, object_id] = found.get(object_id, f"{kind} n° {object_id} (supprimé)")
    return names


def kind_of_workflow(workflow: str) -> str:
    return MODELS.get(workflow, (None, workflow))[1]


def transition_title(workflow: str, transition: str) -> str:
    wf = WORKFLOWS.get(workflow)
    t = wf.transitions.get(transition) if wf else None
    return (t.title if t and t.title else None) or transition


def state_title(workflow: str, state: str) -> str:
    wf = WORKFLOWS.get(workflow)
    return wf.states.get(state, state) if wf else state


# -- the combined journal ---------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    who: str = ""
    kind: str = ""  # a French kind ("Réservation", "Prestation")
    object_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    text: str = ""


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    who: str
    source: str  # "history" or "audit"
    kind: str
    object_id: int | None
    what: str
    action: str  # "Accepter (Demandé → Réservé)", "Modification"
    details: str  # the audit's before → after; the transition's comment
    reason: str


def kinds() -> list[str]:
    """Every kind the journal can be filtered by, sorted."""
    from .audit import KINDS

    return sorted({label for _, label in MODELS.values()} | set(KINDS.values()))


def _dates(q, field, f: Filters):
    """From the start day's midnight to the end day's last moment."""
    if f.start:
        q = q.where(field >= dt.datetime.combine(f.start, dt.time()))
    if f.end:
        q = q.where(field < dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time()))
    return q


def _history_query(town_condition, f: Filters):
    who = fn.COALESCE(Account.email, "Système")
    q = (
        WorkflowHistory.select(
            Value("history").alias("source"),
            WorkflowHistory.id.alias("row_id"),
            WorkflowHistory.at.alias("at"),
            who.alias("who"),
            WorkflowHistory.workflow.alias("kind"),
            WorkflowHistory.object_id.alias("object_id"),
            WorkflowHistory.transition.alias("action"),
            WorkflowHistory.comment.alias("reason"),
        )
        .join(Account, JOIN.LEFT_OUTER, on=(WorkflowHistory.actor == Account.id))
        .where(town_condition)
    )
    if f.who:
        q = q.where(who.contains(f.who.strip()) | WorkflowHistory.role.contains(f.who.strip()))
    if f.kind:
        workflows = [name for name, (_, label) in MODELS.items() if label == f.kind]
        q = q.where(WorkflowHistory.workflow.in_(workflows or ["-"]))
    if f.object_id is not None:
        q = q.where(WorkflowHistory.object_id == f.object_id)
    q = _dates(q, WorkflowHistory.at, f)
    if f.text:
        q = q.where(WorkflowHistory.comment.contains(f.text.strip()))
    return q


def _audit_query(town_id, f: Filters):
    q = AuditEntry.select(
        Value("audit").alias("source"),
        AuditEntry.id.alias("row_id"),
        AuditEntry.at.alias("at"),
        AuditEntry.who.alias("who"),
        AuditEntry.kind.alias("kind"),
        AuditEntry.object_id.alias("object_id"),
        AuditEntry.action.alias("action"),
        AuditEntry.reason.alias("reason"),
    ).where(AuditEntry.town == town_id)
    if f.who:
        q = q.where(AuditEntry.who.contains(f.who.strip()))
    if f.kind:
        q = q.where(AuditEntry.kind == f.kind)
    if f.object_id is not None:
        q = q.where(AuditEntry.object_id == f.object_id)
    q = _dates(q, AuditEntry.at, f)
    if f.text:
        text = f.text.strip()
        q = q.where(
            AuditEntry.what.contains(text)
            | AuditEntry.changes.contains(text)
            | AuditEntry.reason.contains(text)
        )
    return q


def entries(
    town_id: int, history_in_town, f: Filters, limit: int, offset: int = 0
) -> tuple[int, list[Entry]]:
    """The journal's rows, newest first: (how many match, the page asked for).
    `history_in_town` is the condition that keeps history rows to the town
    (blueprints/admin/scope.py)."""
    union = _history_query(history_in_town, f).union_all(_audit_query(town_id, f))
    total = union.count()
    page = list(
        union.order_by(SQL("at").desc(), SQL("row_id").desc()).limit(limit).offset(offset).dicts()
    )
    history_ids = [r["row_id"] for r in page if r["source"] == "history"]
    audit_ids = [r["row_id"] for r in page if r["source"] == "audit"]
    hist = _by_id(WorkflowHistory.select().where(WorkflowHistory.id.in_(history_ids)))
    aud = _by_id(AuditEntry.select().where(AuditEntry.id.in_(audit_ids)))
    names = describe((h.workflow, h.object_id) for h in hist.values())
    out = []
    for r in page:
        if r["source"] == "history":
            h = hist[r["row_id"]]
            out.append(
                Entry(
                    at=h.at,
                    who=r["who"],
                    source="history",
                    kind=kind_of_workflow(h.workflow),
                    object_id=h.object_id,
                    what=names[h.workflow, h.object_id],
                    action=transition_title(h.workflow, h.transition),
                    details=f"{state_title(h.workflow, h.from_state)} → "
                    f"{state_title(h.workflow, h.to_state)}",
                    reason=h.comment,
                )
            )
        else:
            a = aud[r["row_id"]]
            out.append(
                Entry(
                    at=a.at,
                    who=a.who,
                    source="audit",
                    kind=a.kind,
                    object_id=a.object_id,
                    what=a.what,
                    action=ACTIONS.get(a.action, a.action),
                    details=changes_text(a),
                    reason=a.reason,
                )
            )
    return total, out
