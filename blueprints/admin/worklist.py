"""The approvers' worklist: pending request lines to accept or refuse in batches.

The lines come from `workflows.decisions.worklist` (units in staff mode, and lines the timer
left pending too long); every decision goes through `workflows.decisions.staff_decide`.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import Child, Household, RequestLine, Site, Unit
from web import inputs
from workflows import decisions, messages
from workflows.engine import WorkflowError

from .base import date_fr, datetime_fr
from .scope import scoped
from .security import StaffOnly, town_id

LIMIT = 500
ACTIONS_FR = {"book": "Réservation", "cancel": "Annulation"}


def _parse_date(text: str | None) -> dt.date | None:
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n <= 1 else many}"


def result_message(result: dict, asked: int) -> str:
    """'3 lignes acceptées, 1 refusée, 1 en liste d'attente.' from staff_decide's counts."""
    accepted, refused, queued = (result.get(k, 0) for k in ("accepted", "refused", "queued"))
    parts = [
        _plural(accepted, "ligne acceptée", "lignes acceptées"),
        _plural(refused, "refusée", "refusées"),
        _plural(queued, "en liste d'attente", "en liste d'attente"),
    ]
    text = ", ".join(parts) + "."
    gone = asked - accepted - refused - queued
    if gone > 0:
        text += (
            " "
            + _plural(gone, "ligne était déjà traitée", "lignes étaient déjà traitées")
            + " (par un autre agent ou le minuteur)."
        )
    return text


class WorklistView(StaffOnly, BaseView):
    def _filters(self, source) -> dict:
        return {
            "site": _int(source.get("site")),
            "unit": _int(source.get("unit")),
            "start": _parse_date(source.get("start")),
            "end": _parse_date(source.get("end")),
            "child": (source.get("child") or "").strip()[:100],
        }

    def _query(self, f: dict):
        q = (
            decisions.worklist(current_user.actor, stale_after=current_app.config["STALE_AFTER"])
            .select_extend(Household, Site)
            .switch(Child)
            .join(Household)
            .switch(Unit)
            .join(Site, on=(Unit.site == Site.id))
        )
        if f["site"]:
            q = q.where(Unit.site == f["site"])
        if f["unit"]:
            q = q.where(RequestLine.unit == f["unit"])
        if f["start"]:
            q = q.where(RequestLine.date >= f["start"])
        if f["end"]:
            q = q.where(RequestLine.date <= f["end"])
        for term in f["child"].split():
            like = f"%{term}%"
            q = q.where((Child.first_name**like) | (Child.last_name**like) | (Household.name**like))
        return q

    def _render(self, f: dict, *, selected=(), reason: str = "", status: int = 200):
        query = self._query(f)
        total = query.count()
        lines = [
            {
                "id": line.id,
                "request": line.request_id,
                "child": str(line.child),
                "household": line.child.household.name,
                "site": line.unit.site.name,
                "unit": line.unit.label,
                "date": date_fr(line.date, weekday=True),
                "action": ACTIONS_FR.get(line.action, line.action),
                "sent_at": datetime_fr(line.sent_at),
                "staff_mode": line.unit.approval_mode == "staff",
            }
            for line in query.limit(LIMIT)
        ]
        town = town_id()
        sites = list(scoped(Site, town).order_by(Site.name))
        units = list(scoped(Unit, town).join(Site).order_by(Site.name, Unit.position))
        body = self.render(
            "admin/worklist.html",
            lines=lines,
            total=total,
            limit=LIMIT,
            filters=f,
            sites=sites,
            units=units,
            selected={int(i) for i in selected if str(i).isdigit()},
            reason=reason,
        )
        return body, status

    @expose("/", methods=("GET",))
    def index(self):
        return self._render(self._filters(request.args))

    @expose("/", methods=("POST",))
    def decide(self):
        """The batch action. CSRFProtect has checked the token before we get here."""
        f = self._filters(request.form)
        ids = inputs.ids(request.form.getlist("line"))
        decision = request.form.get("decision")
        reason = (request.form.get("reason") or "").strip()
        code = decisions.may_decide(current_user.actor, decision or "", reason)
        if code or not ids:
            words = messages.reason_fr(code) if code else "Cochez au moins une ligne."
            flash(f"{words} Aucune ligne n'a été modifiée.", "error")
            status = 403 if code == "forbidden" else 400
            return self._render(f, selected=ids, reason=reason, status=status)
        try:
            result = decisions.staff_decide(
                current_user.actor, ids, decision, reason if decision == "refuse" else ""
            )
        except WorkflowError as exc:
            current_app.logger.info("staff_decide refused: %s", exc)
            flash(
                "Cette action n'est pas permise à votre compte. Aucune ligne n'a été modifiée.",
                "error",
            )
            return self._render(f, selected=ids, reason=reason, status=403)
        flash(result_message(result, len(ids)), "success")
        args = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in f.items() if v}
        return redirect(url_for(".index", **args))
