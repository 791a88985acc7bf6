"""The staff API, for a town's own software (the catering's): read with a staff API token
(made by an admin in « Jetons d'API agents »), never with a parent's."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from web.extensions import csrf
from workflows import kitchen, staff_tokens

bp = Blueprint("api_staff", __name__, url_prefix="/api/v1/staff")
csrf.exempt(bp)


class StaffApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.errorhandler(StaffApiError)
def _error(e: StaffApiError):
    return jsonify({"error": e.code, "message": e.message}), e.status


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    return jsonify({"error": e.name.lower().replace(" ", "_"), "message": e.description}), e.code


def staff_token(scope: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            token = staff_tokens.check(header[7:], scope) if header.startswith("Bearer ") else None
            if token is None:
                raise StaffApiError(
                    401, "unauthorized", f"A valid staff API token of scope {scope} is required."
                )
            g.staff_token = token
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _date(name: str, default: dt.date | None = None) -> dt.date:
    raw = request.args.get(name)
    if not raw:
        if default is None:
            raise StaffApiError(400, "bad_request", f"{name} is required.")
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise StaffApiError(400, "bad_request", f"{name} must be a date YYYY-MM-DD.") from None


@bp.get("/meal-counts")
@staff_token("meal-counts")
def meal_counts():
    start = _date("from")
    end = _date("to", start)
    raw_site = request.args.get("site") or None
    if raw_site is not None and not raw_site.isdigit():
        raise StaffApiError(400, "bad_request", "site must be a site id.")
    site_id = int(raw_site) if raw_site else None
    try:
        days = kitchen.counts(g.staff_token.town_id, start, end, site_id)
    except kitchen.KitchenError as e:
        status = 404 if e.code == "unknown_site" else 422
        raise StaffApiError(status, e.code, e.message) from None
    return jsonify(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "site": site_id,
            "days": [d.as_dict() for d in days],
        }
    )
