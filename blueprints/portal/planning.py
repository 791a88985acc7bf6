"""A child's planning (month and week), the JSON its page polls, and what the page puts in
the basket: a selection of cells, or a weekly template over a period."""

from __future__ import annotations

import datetime as dt

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from models import Child
from web import inputs
from workflows import basket as baskets
from workflows import planning as plan
from workflows.engine import Forbidden, WorkflowError
from workflows.units import unit_infos

from ..auth import parent_required
from .blueprint import bp
from .cells import cell_view, date_fr, short_label
from .forms import WeeklyTemplateForm
from .selection import (
    WEEKDAYS_FR,
    BadInput,
    for_siblings,
    month_period,
    parse_date,
    parse_lines,
    shift_month,
    week_period,
    weekly_template,
)
from .views import basket_count, children, household_id, own_child, paris_now, paris_today

VIEWS = ("mois", "semaine")


def _shown_weekdays(units) -> list[int]:
    """The weekday columns: the days any of the child's units runs (Monday to Friday when
    there is none), so a phone does not spend a column on a Wednesday with no service."""
    days = {int(d) for u in units for d in u.weekdays if d in "1234567"}
    return sorted(days or {1, 2, 3, 4, 5})


def _cells(child, start, end, asking, now, count_basket, may_pass_deadline):
    """The child's cells from start to end as `asking` sees them (404 when none may)."""
    found = plan.child_planning(
        child.id,
        start,
        end,
        household_id=asking,
        now=now,
        count_basket=count_basket,
        may_pass_deadline=may_pass_deadline,
    )
    if found is None:
        abort(404)
    return found


def planning_view(
    child: Child,
    view: str,
    anchor: dt.date,
    *,
    count_basket=True,
    may_pass_deadline=False,
    household: int | None = None,
) -> dict:
    """What the planning component (templates/planning/_component.html) shows of a child's
    month or week: for the parents' page, and for staff in the household's file. As
    `household` sees it (a shared child's second home), by default the parent's own."""
    now = paris_now()
    asking = household if household is not None else household_id()
    if view == "mois":
        start, end = month_period(anchor)
        prev_date, next_date = shift_month(start, -1), shift_month(start, 1)
    else:
        start, end = week_period(anchor)
        prev_date, next_date = start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    found = _cells(child, start, end, asking, now, count_basket, may_pass_deadline)
    if count_basket:
        g.basket_count = found.basket_count
    cells = found.cells
    units = list({c.unit.id: c.unit for c in cells}.values())
    weekdays = _shown_weekdays(units)
    views = {}
    for c in cells:
        views[(c.unit.id, c.date)] = cell_view(c, now)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    days = [d for d in days if d.isoweekday() in weekdays]

    def day_entry(day):
        """A day's cells (units running that weekday); a day closed for every unit for the
        same reason shows that reason once instead of a grey cell per unit."""
        shown = [
            views[(u.id, day)]
            for u in units
            if (u.id, day) in views and str(day.isoweekday()) in u.weekdays
        ]
        note = ""
        if not shown:
            note = "pas d'accueil"
        elif all(c["state"] == "closed" for c in shown) and len({c["why_not"] for c in shown}) == 1:
            note, shown = shown[0]["why_not"], []
        return {"date": day, "cells": shown, "note": note}

    weeks = []
    if view == "mois":
        monday = start - dt.timedelta(days=start.weekday())
        while monday <= end:
            row = []
            for wd in weekdays:
                d = monday + dt.timedelta(days=wd - 1)
                row.append(day_entry(d) if start <= d <= end else {"date": d, "out": True})
            weeks.append((monday, row))
            monday += dt.timedelta(days=7)
    usual = found.usual
    unit_rows = [
        {
            "id": u.id,
            "code": u.code,
            "label": u.label,
            "short": short_label(u.code, u.label),
            "usual": usual.get((u.service_id, u.site_id), ""),
            "weekdays": u.weekdays,
        }
        for u in units
    ]
    return {
        "view": view,
        "start": start,
        "end": end,
        "anchor": anchor,
        "prev_date": prev_date,
        "next_date": next_date,
        "units": unit_rows,
        "weekdays": weekdays,
        "weekday_names": {i + 1: n for i, n in enumerate(WEEKDAYS_FR)},
        "weeks": weeks,
        "days": [day_entry(d) for d in days],
        "units_by_id": {u["id"]: u for u in unit_rows},
        "today": paris_today(),
    }


@bp.route("/enfants/<int:child_id>/planning")
@parent_required
def child_planning(child_id: int):
    child = own_child(child_id)
    view = request.args.get("vue", "mois")
    if view not in VIEWS:
        view = "mois"
    anchor = paris_today()
    if request.args.get("date"):
        try:
            anchor = parse_date(request.args["date"])
        except BadInput as e:
            flash(f"{e} Affichage d'aujourd'hui.", "error")
    ctx = planning_view(child, view, anchor)
    form = WeeklyTemplateForm(formdata=None)
    form.start.data = max(ctx["start"], paris_today())
    form.end.data = ctx["end"]
    typed = session.pop(TYPED, None)
    if not isinstance(typed, dict) or typed.get("child") != child.id:
        typed = None
    else:  # the weekly template was refused: as the parent left it
        form.start.raw_data, form.end.raw_data = [typed["start"]], [typed["end"]]
        if typed["action"] in {v for v, _ in form.action.choices}:
            form.action.data = typed["action"]
    siblings = [c for c in children() if c.id != child.id]
    component = {
        "json_url": url_for("portal.planning_json", child_id=child.id),
        "add_url": url_for("portal.add_selection", child_id=child.id),
        "add_label": "Ajouter au panier",
        "basket_url": url_for("portal.basket"),
        "nav": lambda vue, day: url_for(
            "portal.child_planning", child_id=child.id, vue=vue, date=day.isoformat()
        ),
    }
    return render_template(
        "portal/planning.html",
        child=child,
        siblings=siblings,
        form=form,
        typed=typed,
        poll_ms=int(current_app.config.get("POLL_MS", 5000)),
        component=component,
        **ctx,
    )


@bp.route("/enfants/<int:child_id>/planning.json")
@parent_required
def planning_json(child_id: int):
    return planning_json_of(own_child(child_id))


def planning_json_of(
    child: Child, *, count_basket=True, may_pass_deadline=False, household: int | None = None
):
    """The JSON the planning component polls (?from=&to=): its cells, 304 when unchanged;
    as `household` sees them (see `planning_view`)."""
    asking = household if household is not None else household_id()
    try:
        start = parse_date(request.args.get("from"), "date de début")
        end = parse_date(request.args.get("to"), "date de fin")
        if end < start or (end - start).days > 400:
            raise BadInput(
                "La période doit aller d'une date à une date postérieure, un an au plus."
            )
    except BadInput as e:
        return jsonify({"ok": False, "message": str(e)}), 400
    now = paris_now()
    # The page polls this every few seconds: when nothing changed, say so (304) for the
    # price of one query.
    tag = plan.version(child.id, asking, start, end, now)
    if tag in request.if_none_match:
        return _not_modified(tag)
    found = _cells(child, start, end, asking, now, count_basket, may_pass_deadline)
    response = jsonify(
        {
            "ok": True,
            "child": child.id,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "cells": [cell_view(c, now) for c in found.cells],
            **({"basket_count": found.basket_count} if count_basket else {}),
        }
    )
    return _tagged(response, tag)


def _tagged(response, tag: str):
    """A poll's answer the browser keeps and asks again about with If-None-Match."""
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _not_modified(tag: str):
    return _tagged(current_app.response_class(status=304), tag)


def _add_to_basket(child: Child, lines, also_ids) -> dict:
    """Put `lines` (unit, date, action) of `child`, and the same days of the chosen brothers
    and sisters, in the basket. Returns the French report."""
    siblings = [c for c in children() if c.id in set(also_ids) and c.id != child.id]
    extra = for_siblings(lines, siblings, household_id())
    all_lines = [(child.id, u, d, a) for u, d, a in lines] + extra.lines
    if not all_lines:
        return {"added": 0, "problems": [], "skipped": extra.skipped}
    try:
        problems = baskets.basket_add(current_user.actor, household_id(), all_lines)
    except Forbidden:
        abort(404)
    except WorkflowError as e:  # an unknown action, say
        raise BadInput("Cette sélection ne peut pas être ajoutée au panier.") from e
    labels = {u.id: u.label for u in unit_infos({u for _, u, _, _ in all_lines}).values()}
    names = {c.id: c.first_name for c in children()}
    distinct = {(c, u, d) for c, u, d, _ in all_lines}
    return {
        "added": len(distinct) - len({(p.child_id, p.unit_id, p.date) for p in problems}),
        "problems": [
            f"{names.get(p.child_id, '')}, {date_fr(p.date, 'EEEE d MMMM')} – "
            f"{labels.get(p.unit_id, 'prestation inconnue')} : {p.message_fr}"
            for p in problems
        ],
        "skipped": extra.skipped,
    }


def _report_message(report: dict) -> str:
    n = report["added"]
    if n == 0:
        return "Aucun jour n'a été ajouté au panier."
    return f"{n} jour{'s' if n > 1 else ''} ajouté{'s' if n > 1 else ''} au panier."


@bp.route("/enfants/<int:child_id>/selection", methods=["POST"])
@parent_required
def add_selection(child_id: int):
    """The planning's "Ajouter au panier" (JSON, with the X-CSRFToken header)."""
    child = own_child(child_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"ok": False, "message": "Sélection illisible."}), 400
    also = data.get("also") or []
    if not isinstance(also, list) or not all(isinstance(i, int) for i in also):
        return jsonify({"ok": False, "message": "Liste d'enfants illisible."}), 400
    try:
        lines = parse_lines(data.get("lines"))
        report = _add_to_basket(child, lines, also)
    except BadInput as e:
        return jsonify({"ok": False, "message": str(e)}), 400
    return jsonify(
        {
            "ok": report["added"] > 0,
            "message": _report_message(report),
            **report,
            "basket_count": basket_count(),
            "basket_url": url_for("portal.basket"),
        }
    )


@bp.route("/enfants/<int:child_id>/semaine-type", methods=["POST"])
@parent_required
def weekly(child_id: int):
    child = own_child(child_id)
    form = WeeklyTemplateForm()
    back = url_for(
        "portal.child_planning",
        child_id=child.id,
        vue=request.form.get("vue", "mois"),
        date=request.form.get("date") or None,
    )
    if not form.validate():
        for field in (form.start, form.end, form.action):
            for error in field.errors:
                flash(f"Semaine type – {field.label.text} : {_french_field_error(error)}", "error")
        return _refused(child.id, back)
    ticks = {}
    for key in request.form:
        if key.startswith("j-") and key[2:].isdigit():
            days = {int(v) for v in request.form.getlist(key) if v in "1234567" and v}
            if days:
                ticks[int(key[2:])] = days
    if not ticks:
        flash("Semaine type : cochez au moins un jour de la semaine.", "error")
        return _refused(child.id, back)
    also = inputs.ids(request.form.getlist("also"))
    try:
        lines = weekly_template(
            child.id, form.start.data, form.end.data, ticks, form.action.data, household_id()
        )
        if not lines:
            flash("Semaine type : aucun jour modifiable sur cette période pour ces jours.", "error")
            return _refused(child.id, back)
        report = _add_to_basket(child, lines, also)
    except BadInput as e:
        flash(f"Semaine type : {e}", "error")
        return _refused(child.id, back)
    flash(_report_message(report), "info" if report["added"] else "error")
    for line in report["problems"] + report["skipped"]:
        flash(line, "error")
    return redirect(back)


TYPED = "weekly_typed"


def _refused(child_id: int, back: str):
    """Back to the planning with what the parent typed in the weekly template kept (the
    period, the ticks, the action), the template open: nothing to type again."""
    form = request.form
    session[TYPED] = {
        "child": child_id,
        "start": form.get("start", "")[:10],
        "end": form.get("end", "")[:10],
        "action": form.get("action", "")[:10],
        "ticks": {k: form.getlist(k)[:7] for k in form if k.startswith("j-") and k[2:].isdigit()},
    }
    return redirect(back + "#semaine-type")


def _french_field_error(error: str) -> str:
    if "date" in error.lower() and "valid" in error.lower():
        return "date non valide."
    return error
