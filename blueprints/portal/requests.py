"""A household's requests: the list, one request with its lines, taking lines back."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from web import inputs
from workflows import sent_requests

from ..auth import parent_required
from .blueprint import bp
from .cells import ACTION_WORDS
from .views import LINE_STATUS, household_id, period_fr, request_status


@bp.route("/demandes")
@parent_required
def requests_list():
    rows = sent_requests.household_requests(household_id())
    return render_template(
        "portal/requests.html",
        rows=[(r, request_status(r)) for r in rows],
        period_fr=period_fr,
    )


@bp.route("/demandes/<int:request_id>")
@parent_required
def request_detail(request_id: int):
    req = sent_requests.request_detail(request_id)
    if req is None or req.household_id != household_id() or req.state not in ("sent", "done"):
        abort(404)
    lines = [
        {
            "line": line,
            "status": LINE_STATUS.get(line.state, ("", line.state, "")),
            "action_fr": ACTION_WORDS.get(line.action, line.action),
        }
        for line in sent_requests.request_lines(req.id)
    ]
    return render_template(
        "portal/request.html",
        version=sent_requests.request_version(req),
        poll_ms=int(current_app.config.get("POLL_MS", 5000)),
        withdrawable=any(sent_requests.withdrawable(item["line"]) for item in lines),
        req=req,
        status=request_status(req),
        lines=lines,
        period=period_fr(req.period_start, req.period_end),
    )


@bp.route("/demandes/<int:request_id>/version.json")
@parent_required
def request_version(request_id: int):
    """What the request page polls: its version, "nothing changed" (304) for a few bytes;
    the page reloads itself when it changes (static/request.js)."""
    req = sent_requests.request_detail(request_id)
    if req is None or req.household_id != household_id() or req.state not in ("sent", "done"):
        abort(404)
    tag = sent_requests.request_version(req)
    if tag in request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        response = jsonify({"version": tag})
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/demandes/<int:request_id>/retirer", methods=["POST"])
@parent_required
def request_withdraw(request_id: int):
    """Take back ticked booking lines still waiting for a decision."""
    req = sent_requests.request_detail(request_id)
    if req is None or req.household_id != household_id():
        abort(404)
    ids = inputs.ids(request.form.getlist("line"))
    if not ids:
        flash("Cochez les jours à retirer.", "error")
        return redirect(url_for("portal.request_detail", request_id=request_id))
    done, problems = sent_requests.withdraw_lines(current_user.actor, household_id(), ids)
    if done:
        flash(f"{done} jour(s) retiré(s) de la demande.", "info")
    for _line_id, message in problems:
        flash(message, "error")
    return redirect(url_for("portal.request_detail", request_id=request_id))
