"""Routes of the parents' screens."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import OrderedDict

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from models import Child, Request
from workflows import bookings, idempotency, words
from workflows import planning as plan
from workflows.calendar import PARIS, format_deadline_fr, from_utc_naive
from workflows.engine import Forbidden, WorkflowError
from workflows.rules import unit_infos, until

from ..auth import parent_required
from .blueprint import bp
from .cells import ACTION_WORDS, cell_view, date_fr, short_label
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

VIEWS = ("mois", "semaine")

# (icon, words, css class) of a request (sent, or its summary once done) and of a line.
REQUEST_STATUS = {"sent": words.badges("request")["sent"], **words.badges("request_summary")}
LINE_STATUS = words.badges("request_line")


# -- helpers -------------------------------------------------------------------------------
def _now() -> dt.datetime:
    return dt.datetime.now(PARIS)


def _today() -> dt.date:
    return _now().date()


def _household_id() -> int:
    return current_user.household.id


def _own_child(child_id: int) -> Child:
    """The child if they belong to the parent's household; 404 otherwise (never 403, so a
    stranger cannot tell a foreign child from a missing one)."""
    for child in _children():
        if child.id == child_id:
            return child
    abort(404)


def _children() -> list[Child]:
    """The household's children, read once per request."""
    if "children" not in g:
        g.children = list(
            Child.select().where(Child.household == _household_id()).order_by(Child.first_name)
        )
    return g.children


def _basket_count() -> int:
    """Lines in the household's basket, read once per request (the planning reads it with
    its cells)."""
    if "basket_count" not in g:
        g.basket_count = bookings.basket_count(_household_id())
    return g.basket_count


def _wants_json() -> bool:
    return (
        request.path.endswith(".json")
        or request.is_json
        or (request.accept_mimetypes.best == "application/json")
    )


def request_status(req: Request) -> tuple[str, str, str]:
    if req.state == "sent":
        return REQUEST_STATUS["sent"]
    return REQUEST_STATUS.get(req.summary or "accepted", REQUEST_STATUS["accepted"])


def period_fr(start: dt.date | None, end: dt.date | None) -> str:
    if not start:
        return ""
    if start == end or end is None:
        return f"le {date_fr(start, 'EEE d MMM y')}"
    return f"du {date_fr(start, 'EEE d MMM y')} au {date_fr(end, 'EEE d MMM y')}"


@bp.app_template_filter("jour_fr")
def _jour_fr(day: dt.date, pattern: str = "EEEE d MMMM y") -> str:
    return date_fr(day, pattern) if day else ""


@bp.app_template_filter("moment_fr")
def _moment_fr(moment: dt.datetime | None) -> str:
    """A stored (naive UTC) moment, as parents read it: 'lundi 23 novembre 2026 à 14h05'."""
    if not moment:
        return ""
    local = from_utc_naive(moment).astimezone(PARIS)
    return f"{date_fr(local.date())} à {local.hour}h{local.minute:02d}"


@bp.app_context_processor
def _portal_context() -> dict:
    if current_user.is_authenticated and getattr(current_user, "household", None) is not None:
        return {"basket_count": _basket_count(), "nav_children": _children()}
    return {}


# -- errors: French words, never a stack trace -----------------------------------------------
ERROR_WORDS = {
    400: "La demande n'a pas pu être comprise.",
    403: "Cette page est réservée aux familles.",
    404: "Cette page n'existe pas ou ne vous est pas accessible.",
    405: "Cette action n'est pas possible ici.",
}


@bp.errorhandler(CSRFError)
def _csrf_error(e):
    message = "La page a expiré : rechargez-la puis recommencez."
    if _wants_json():
        return jsonify({"ok": False, "message": message}), 400
    return render_template("portal/error.html", message=message, status=400), 400


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    message = ERROR_WORDS.get(e.code, "Une erreur est survenue.")
    if _wants_json():
        return jsonify({"ok": False, "message": message}), e.code
    return render_template("portal/error.html", message=message, status=e.code), e.code


# -- home ----------------------------------------------------------------------------------
@bp.route("/")
@parent_required
def home():
    recent = bookings.household_requests(_household_id(), limit=5)
    return render_template(
        "portal/home.html",
        children=_children(),
        recent=[(r, request_status(r)) for r in recent],
        period_fr=period_fr,
    )


# -- planning ------------------------------------------------------------------------------
def _shown_weekdays(units) -> list[int]:
    """The weekday columns: the days any of the child's units runs (Monday to Friday when
    there is none), so a phone does not spend a column on a Wednesday with no service."""
    days = {int(d) for u in units for d in u.weekdays if d in "1234567"}
    return sorted(days or {1, 2, 3, 4, 5})


def _planning_view(child: Child, view: str, anchor: dt.date) -> dict:
    now = _now()
    if view == "mois":
        start, end = month_period(anchor)
        prev_date, next_date = shift_month(start, -1), shift_month(start, 1)
    else:
        start, end = week_period(anchor)
        prev_date, next_date = start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    found = plan.child_planning(
        child.id, start, end, household_id=child.household_id, now=now, count_basket=True
    )
    if found is None:
        abort(404)
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
        "today": _today(),
    }


@bp.route("/enfants/<int:child_id>/planning")
@parent_required
def child_planning(child_id: int):
    child = _own_child(child_id)
    view = request.args.get("vue", "mois")
    if view not in VIEWS:
        view = "mois"
    anchor = _today()
    if request.args.get("date"):
        try:
            anchor = parse_date(request.args["date"])
        except BadInput as e:
            flash(f"{e} Affichage d'aujourd'hui.", "error")
    ctx = _planning_view(child, view, anchor)
    form = WeeklyTemplateForm(formdata=None)
    form.start.data = max(ctx["start"], _today())
    form.end.data = ctx["end"]
    siblings = [c for c in _children() if c.id != child.id]
    return render_template(
        "portal/planning.html",
        child=child,
        siblings=siblings,
        form=form,
        poll_ms=int(current_app.config.get("POLL_MS", 5000)),
        **ctx,
    )


@bp.route("/enfants/<int:child_id>/planning.json")
@parent_required
def planning_json(child_id: int):
    child = _own_child(child_id)
    try:
        start = parse_date(request.args.get("from"), "date de début")
        end = parse_date(request.args.get("to"), "date de fin")
        if end < start or (end - start).days > 400:
            raise BadInput(
                "La période doit aller d'une date à une date postérieure, un an au plus."
            )
    except BadInput as e:
        return jsonify({"ok": False, "message": str(e)}), 400
    now = _now()
    # The page polls this every few seconds: when nothing changed, say so (304) for the
    # price of one query.
    tag = plan.version(child.id, child.household_id, start, end, now)
    if tag in request.if_none_match:
        return _not_modified(tag)
    found = plan.child_planning(
        child.id, start, end, household_id=child.household_id, now=now, count_basket=True
    )
    if found is None:
        abort(404)
    response = jsonify(
        {
            "ok": True,
            "child": child.id,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "basket_count": found.basket_count,
            "cells": [cell_view(c, now) for c in found.cells],
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
    siblings = [c for c in _children() if c.id in set(also_ids) and c.id != child.id]
    extra = for_siblings(lines, siblings)
    all_lines = [(child.id, u, d, a) for u, d, a in lines] + extra.lines
    if not all_lines:
        return {"added": 0, "problems": [], "skipped": extra.skipped}
    try:
        problems = bookings.basket_add(current_user.actor, _household_id(), all_lines)
    except Forbidden:
        abort(404)
    except WorkflowError as e:  # an unknown action, say
        raise BadInput("Cette sélection ne peut pas être ajoutée au panier.") from e
    labels = {u.id: u.label for u in unit_infos({u for _, u, _, _ in all_lines}).values()}
    names = {c.id: c.first_name for c in _children()}
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
    child = _own_child(child_id)
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
            "basket_count": _basket_count(),
            "basket_url": url_for("portal.basket"),
        }
    )


@bp.route("/enfants/<int:child_id>/semaine-type", methods=["POST"])
@parent_required
def weekly(child_id: int):
    child = _own_child(child_id)
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
        return redirect(back)
    ticks = {}
    for key in request.form:
        if key.startswith("j-") and key[2:].isdigit():
            days = {int(v) for v in request.form.getlist(key) if v in "1234567" and v}
            if days:
                ticks[int(key[2:])] = days
    if not ticks:
        flash("Semaine type : cochez au moins un jour de la semaine.", "error")
        return redirect(back)
    also = [int(v) for v in request.form.getlist("also") if v.isdigit()]
    try:
        lines = weekly_template(child.id, form.start.data, form.end.data, ticks, form.action.data)
        if not lines:
            flash("Semaine type : aucun jour modifiable sur cette période pour ces jours.", "error")
            return redirect(back)
        report = _add_to_basket(child, lines, also)
    except BadInput as e:
        flash(f"Semaine type : {e}", "error")
        return redirect(back)
    flash(_report_message(report), "info" if report["added"] else "error")
    for line in report["problems"] + report["skipped"]:
        flash(line, "error")
    return redirect(back)


def _french_field_error(error: str) -> str:
    if "date" in error.lower() and "valid" in error.lower():
        return "date non valide."
    return error


# -- basket ----------------------------------------------------------------------------------
def _basket_groups(problems=None):
    """The basket's lines grouped by child, each with its French words and deadline."""
    now = _now()
    lines = bookings.basket_lines(_household_id())
    infos = unit_infos({line.unit_id for line in lines}) if lines else {}
    bad = {}
    for p in problems or []:
        bad[(p.child_id, p.unit_id, p.date)] = p.message_fr
    groups: OrderedDict = OrderedDict()
    for line in lines:
        info = infos.get(line.unit_id)
        deadline = until(info, line.action, line.date, now) if info else None
        groups.setdefault(line.child, []).append(
            {
                "id": line.id,
                "date": line.date,
                "unit": line.unit.label,
                "action": line.action,
                "action_fr": ACTION_WORDS.get(line.action, line.action),
                "deadline_fr": format_deadline_fr(deadline.at) if deadline else "",
                "late": bool(deadline and deadline.passed),
                "problem": bad.get((line.child_id, line.unit_id, line.date), ""),
            }
        )
    return groups


def _render_basket(problems=None, status: int = 200):
    groups = _basket_groups(problems)
    names = {c.id: c.first_name for c in _children()}
    infos = unit_infos({p.unit_id for p in problems}) if problems else {}
    problem_words = [
        f"{names.get(p.child_id, '')}, {date_fr(p.date, 'EEEE d MMMM')} – "
        f"{infos[p.unit_id].label if p.unit_id in infos else ''} "
        f"({ACTION_WORDS.get(p.action, p.action).lower()}) : {p.message_fr}"
        for p in problems or []
    ]
    return render_template(
        "portal/basket.html",
        groups=groups,
        problems=problem_words,
        idempotency_key=uuid.uuid4().hex,
    ), status


@bp.route("/panier")
@parent_required
def basket():
    return _render_basket()


@bp.route("/panier/retirer", methods=["POST"])
@parent_required
def basket_remove():
    ids = [int(v) for v in request.form.getlist("line") if v.isdigit()]
    if not ids:
        flash("Cochez les lignes à retirer du panier.", "error")
        return redirect(url_for("portal.basket"))
    removed = bookings.basket_remove(current_user.actor, _household_id(), ids)
    flash(
        f"{removed} ligne{'s' if removed > 1 else ''} retirée{'s' if removed > 1 else ''} "
        "du panier.",
        "info",
    )
    return redirect(url_for("portal.basket"))


@bp.route("/panier/vider", methods=["POST"])
@parent_required
def basket_empty():
    bookings.basket_empty(current_user.actor, _household_id())
    flash("Votre panier a été vidé.", "info")
    return redirect(url_for("portal.basket"))


@bp.route("/panier/confirmer", methods=["POST"])
@parent_required
def basket_confirm():
    """Send the basket. The form carries an idempotency key: a second tap, or the browser
    sending the form again after a timeout, gets the first answer (the request's page)
    instead of "déjà réservé"."""
    key = request.form.get("idempotency_key", "")

    def send() -> tuple[int, str]:
        return 303, json.dumps(bookings.basket_send(current_user.actor, _household_id()))

    try:
        if idempotency.valid_key(key):
            _, body, _ = idempotency.once(
                current_user.account.id,
                key,
                idempotency.fingerprint("basket", str(_household_id())),
                send,
            )
        else:
            _, body = send()
    except bookings.RequestRefused as e:
        flash(
            "Votre demande n'a pas été envoyée : corrigez les lignes signalées. "
            "Votre panier est conservé.",
            "error",
        )
        return _render_basket(e.problems)
    except (Forbidden, idempotency.KeyReused):
        abort(404)
    ids = json.loads(body)
    if not ids:
        flash("Votre panier est vide.", "error")
        return redirect(url_for("portal.basket"))
    if len(ids) == 1:
        flash(f"Demande n° {ids[0]} envoyée.", "info")
        return redirect(url_for("portal.request_detail", request_id=ids[0]))
    flash(f"Demandes n° {', '.join(map(str, ids))} envoyées.", "info")
    return redirect(url_for("portal.requests_list"))


# -- requests ----------------------------------------------------------------------------------
@bp.route("/demandes")
@parent_required
def requests_list():
    rows = bookings.household_requests(_household_id())
    return render_template(
        "portal/requests.html",
        rows=[(r, request_status(r)) for r in rows],
        period_fr=period_fr,
    )


@bp.route("/demandes/<int:request_id>")
@parent_required
def request_detail(request_id: int):
    req = bookings.request_detail(request_id)
    if req is None or req.household_id != _household_id() or req.state not in ("sent", "done"):
        abort(404)
    lines = [
        {
            "line": line,
            "status": LINE_STATUS.get(line.state, ("", line.state, "")),
            "action_fr": ACTION_WORDS.get(line.action, line.action),
        }
        for line in bookings.request_lines(req.id)
    ]
    return render_template(
        "portal/request.html",
        withdrawable=any(bookings.withdrawable(item["line"]) for item in lines),
        req=req,
        status=request_status(req),
        lines=lines,
        period=period_fr(req.period_start, req.period_end),
    )


@bp.route("/demandes/<int:request_id>/retirer", methods=["POST"])
@parent_required
def request_withdraw(request_id: int):
    """Take back ticked booking lines still waiting for a decision."""
    req = bookings.request_detail(request_id)
    if req is None or req.household_id != _household_id():
        abort(404)
    ids = [int(x) for x in request.form.getlist("line") if x.isdigit()]
    if not ids:
        flash("Cochez les jours à retirer.", "error")
        return redirect(url_for("portal.request_detail", request_id=request_id))
    done, problems = bookings.withdraw_lines(current_user.actor, _household_id(), ids)
    if done:
        flash(f"{done} jour(s) retiré(s) de la demande.", "info")
    for _line_id, message in problems:
        flash(message, "error")
    return redirect(url_for("portal.request_detail", request_id=request_id))
