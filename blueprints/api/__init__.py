"""The JSON API under /api/v1, and its OpenAPI document at /api/openapi.json.
Errors are JSON {"error": code, "message": English text} with the right status."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from flask import Blueprint, Flask, current_app, g, jsonify, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

from models import Child, Request
from web import inputs
from web.errors import kept_headers
from web.extensions import csrf
from workflows import bookings, homes, idempotency, line_checks, second_factor, sent_requests
from workflows import planning as plan
from workflows.accounts import actor_for, authenticate, load_account
from workflows.engine import Forbidden, WorkflowError

from ..auth.limits import login_failed, login_limited
from . import content, staff
from .openapi import build_spec

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    return jsonify({"error": e.code, "message": e.message, **e.extra}), e.status


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    body = {"error": e.name.lower().replace(" ", "_"), "message": e.description}
    return jsonify(body), e.code, kept_headers(e)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise ApiError(401, "unauthorized", "A bearer token is required.")
        try:
            data = _serializer().loads(header[7:], max_age=current_app.config["API_TOKEN_MAX_AGE"])
        except BadSignature:
            raise ApiError(401, "unauthorized", "Invalid or expired token.") from None
        loaded = load_account(data["a"]) if isinstance(data.get("a"), int) else None
        account = loaded.account if loaded else None
        if account is None or not account.is_active or account.session_version != data.get("v"):
            raise ApiError(401, "unauthorized", "Invalid or expired token.")
        g.account = account
        g.actor = actor_for(account, loaded.households)
        g.household = loaded.households[0] if loaded.households else None
        if g.household is None:
            raise ApiError(403, "forbidden", "This API is for parents' accounts.")
        return view(*args, **kwargs)

    return wrapped


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object.")
    return data


def _date(value, name: str) -> dt.date:
    day = inputs.day(value)
    if day is None:
        raise ApiError(400, "bad_request", f"{name} must be a date YYYY-MM-DD.")
    return day


def _own_child(child_id) -> Child:
    child_id = inputs.an_id(child_id) if isinstance(child_id, int) else None  # JSON: a number
    child = Child.get_or_none(Child.id == child_id) if child_id else None
    if child is None or g.household.id not in homes.homes(child.id):
        raise ApiError(404, "not_found", "No such child in your household.")
    return child


@bp.post("/v1/auth/token")
@login_limited
def token():
    data = _json_body()
    account = authenticate(str(data.get("email", "")), str(data.get("password", "")))
    if account is None:
        login_failed()
        raise ApiError(401, "invalid_credentials", "Unknown e-mail or wrong password.")
    if second_factor.needed(account):  # the same second factor as the login form
        if not second_factor.enrolled(account):
            raise ApiError(
                403,
                "second_factor_not_enrolled",
                "Enrol the second factor by logging in on the web first.",
            )
        code = data.get("code")
        if not isinstance(code, str) or not code.strip():
            raise ApiError(
                401,
                "second_factor_required",
                "This account has a second factor: send its current code as `code`.",
            )
        if second_factor.check(account, code) is not second_factor.Check.OK:
            login_failed()
            raise ApiError(401, "invalid_second_factor", "Wrong or already used code.")
    value = _serializer().dumps({"a": account.id, "v": account.session_version})
    return jsonify(
        {
            "access_token": value,
            "token_type": "bearer",
            "expires_in": current_app.config["API_TOKEN_MAX_AGE"],
        }
    )


@bp.get("/v1/children")
@token_required
def children():
    rows = homes.children_of(g.household.id).order_by(Child.first_name)
    return jsonify(
        [{"id": c.id, "first_name": c.first_name, "last_name": c.last_name} for c in rows]
    )


@bp.get("/v1/children/<int:child_id>/planning")
@token_required
def child_planning(child_id: int):
    start = _date(request.args.get("from"), "from")
    end = _date(request.args.get("to"), "to")
    if end < start or (end - start).days > 366:
        raise ApiError(400, "bad_request", "from must precede to, within 366 days.")
    found = plan.child_planning(child_id, start, end, household_id=g.household.id)
    if found is None:
        raise ApiError(404, "not_found", "No such child in your household.")
    return jsonify(
        {
            "child": child_id,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "cells": [c.as_dict() for c in found.cells],
        }
    )


def _request_json(req: Request) -> dict:
    lines = sent_requests.request_lines(req.id)
    return {
        "number": req.id,
        "child": req.child_id,
        "state": req.state,
        "summary": req.summary or None,
        "sent_at": req.sent_at.isoformat() + "Z" if req.sent_at else None,
        "period": {
            "from": req.period_start.isoformat() if req.period_start else None,
            "to": req.period_end.isoformat() if req.period_end else None,
        },
        "lines": [
            {
                "date": line.date.isoformat(),
                "unit": line.unit.code,
                "unit_id": line.unit_id,
                "action": line.action,
                "state": line.state,
                "reason_code": line.reason_code or None,
                "reason": line.reason or None,
            }
            for line in lines
        ],
    }


@bp.post("/v1/requests")
@token_required
def create_request():
    """Send a request. With an Idempotency-Key header, a retry (after a timeout, say) gets
    the first answer back, with `Idempotent-Replayed: true`, and sends nothing more."""
    key = request.headers.get("Idempotency-Key")
    if key is not None and not idempotency.valid_key(key):
        raise ApiError(400, "bad_request", "Idempotency-Key must be 1 to 255 ASCII characters.")
    data = _json_body()
    child = _own_child(data.get("child"))
    lines = _request_lines(child, data.get("lines"))

    def send() -> tuple[int, str]:
        (number,) = _submit(child, lines)
        body = _request_json(Request.get_by_id(number))
        if body["lines"] and all(line["state"] == "refused" for line in body["lines"]):
            # Decided at once and nothing accepted (an instant unit that is full, a cell
            # taken by a send of the same moment): not a success, whatever was written.
            body = {
                "error": "conflict",
                "message": "Every line was refused; nothing is booked.",
                "number": number,
                "lines": body["lines"],
            }
            return 409, current_app.json.dumps(body)
        return 201, current_app.json.dumps(body)

    if key is None:
        status, body, replayed = *send(), False
    else:
        try:
            status, body, replayed = idempotency.once(
                g.account.id, key, idempotency.fingerprint(request.path, request.get_data()), send
            )
        except idempotency.KeyReused:
            raise ApiError(
                422, "idempotency_key_reused", "This Idempotency-Key was used for another request."
            ) from None
    response = current_app.response_class(body, status=status, mimetype="application/json")
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _request_lines(child: Child, raw_lines) -> list[tuple[int, dt.date, str]]:
    if not isinstance(raw_lines, list) or not raw_lines:
        raise ApiError(400, "bad_request", "lines must be a non-empty list.")
    if len(raw_lines) > 2000:
        raise ApiError(400, "bad_request", "At most 2000 lines per request.")
    units = plan.enrolled(child.id, dt.date.min, dt.date.max).units
    by_code = {}
    for u in units.values():
        by_code.setdefault(u.code, u.id)
    lines = []
    for i, raw in enumerate(raw_lines):
        if not isinstance(raw, dict):
            raise ApiError(400, "bad_request", f"lines[{i}] must be an object.")
        unit = raw.get("unit")
        if not isinstance(unit, (int, str)) or isinstance(unit, bool):
            raise ApiError(400, "bad_request", f"lines[{i}].unit must be a unit's code or id.")
        unit_id = unit if isinstance(unit, int) and unit in units else by_code.get(unit)
        if unit_id is None:
            raise ApiError(
                422, "unknown_unit", f"lines[{i}]: unknown unit {unit!r} for this child."
            )
        action = raw.get("action", "book")
        if not isinstance(action, str) or action not in line_checks.ACTIONS:
            raise ApiError(400, "bad_request", f"lines[{i}]: action must be book or cancel.")
        lines.append((unit_id, _date(raw.get("date"), f"lines[{i}].date"), action))
    return lines


def _submit(child: Child, lines) -> list[int]:
    try:
        return bookings.submit(g.actor, [bookings.RequestSpec(child.id, lines)])
    except bookings.RequestRefused as e:
        conflict = all(p.code in ("already_booked", "not_booked") for p in e.problems)
        raise ApiError(
            409 if conflict else 422,
            "conflict" if conflict else "refused",
            "Some lines cannot be sent; nothing was sent.",
            lines=[p.as_dict() for p in e.problems],
        ) from None
    except Forbidden:
        raise ApiError(403, "forbidden", "Not allowed.") from None
    except WorkflowError as e:
        raise ApiError(422, e.code, str(e)) from None


@bp.get("/v1/requests/<int:number>")
@token_required
def get_request(number: int):
    """Polled until the request is decided: with If-None-Match, "nothing changed" (304)
    costs one small query."""
    req = Request.get_or_none(Request.id == number)
    if req is None or req.household_id != g.household.id or req.state == "basket":
        raise ApiError(404, "not_found", "No such request in your household.")
    tag = sent_requests.request_version(req)
    if tag in request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        response = jsonify(_request_json(req))
    response.set_etag(tag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(content.bp)  # news and menus, public
    app.register_blueprint(staff.bp)  # the staff API (staff API tokens)
