"""Errors as people and programs read them: a French page in the parents' layout for every
status (the staff's pages too), JSON with an English message under /api/ (routes that do
not exist included), and never a stack trace. The error is logged in English."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

WORDS = {
    400: "La demande n'a pas pu être comprise : vérifiez ce que vous avez saisi.",
    401: "Connectez-vous pour accéder à cette page.",
    403: "Cette page ne vous est pas accessible.",
    404: "Cette page n'existe pas ou ne vous est pas accessible.",
    405: "Cette action n'est pas possible ici.",
    410: "Ce lien n'est plus valable.",
    413: "Ce que vous avez envoyé est trop volumineux.",
    429: "Trop de tentatives : patientez quelques minutes avant de réessayer.",
    500: "Une erreur est survenue de notre côté. Ce qui était déjà enregistré n'est pas "
    "perdu ; réessayez dans un instant.",
}
TITLES = {
    404: "Page introuvable",
    413: "Envoi trop volumineux",
    429: "Trop de tentatives",
    500: "Erreur du portail",
}
CSRF_WORDS = "Le formulaire a expiré : rechargez la page puis recommencez."
# JSON errors of the API read this (English, for programs).
API_MESSAGES = {
    413: "The request body is too large.",
    500: "Internal error; nothing already saved was lost.",
}


def in_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def wants_json() -> bool:
    best = request.accept_mimetypes.best
    return (
        in_api() or request.path.endswith(".json") or request.is_json or best == "application/json"
    )


def api_error(status: int, name: str, message: str):
    return jsonify({"error": name, "message": message}), status


def kept_headers(e: HTTPException) -> list[tuple[str, str]]:
    """The headers an HTTP error carries (a 405's Allow, a 429's Retry-After), which our
    own body replaces but must not drop."""
    return [(k, v) for k, v in e.get_headers() if k.lower() != "content-type"]


def page(status: int, message: str | None = None):
    """The French page of an error (or its JSON for a page's own background calls)."""
    message = message or WORDS.get(status, "Une erreur est survenue.")
    if wants_json():
        return jsonify({"ok": False, "message": message}), status
    title = TITLES.get(status, "Action impossible")
    staff_page = _in_admin_layout(message, status, title)
    if staff_page is not None:
        return staff_page, status
    return render_template("error.html", message=message, status=status, title=title), status


def _in_admin_layout(message: str, status: int, title: str) -> str | None:
    """Staff in the admin read their errors in the admin's layout (menu included)."""
    from flask_login import current_user

    admin = current_app.extensions.get("portail_admin")
    if admin is None or not (request.path == "/admin" or request.path.startswith("/admin/")):
        return None
    if not (current_user and current_user.is_authenticated and current_user.is_staff):
        return None
    try:
        return admin.index_view.render("admin/error.html", message=message, title=title)
    except Exception:  # the admin's layout itself failed: the plain page then
        log.exception("admin error page failed")
        return None


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(e):
        log.info("CSRF refused on %s: %s", request.path, e.description)
        if in_api():
            return api_error(400, "csrf", "The CSRF token is missing or invalid.")
        return page(400, CSRF_WORDS)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        if in_api():
            name = (e.name or "error").lower().replace(" ", "_")
            body, status = api_error(e.code or 500, name, API_MESSAGES.get(e.code, e.description))
            return body, status, kept_headers(e)
        body, status = page(e.code or 500)
        return body, status, kept_headers(e)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        if isinstance(e, HTTPException):
            return _http(e)
        log.exception("unhandled error on %s %s", request.method, request.path)
        if in_api():
            return api_error(500, "internal_server_error", API_MESSAGES[500])
        return page(500)

    app.register_error_handler(InternalServerError, _http)
