"""Who may come in: login and logout (login.py), the links that get a parent in, sign-up
and the lost password (links.py), and the rate limits on all of them (limits.py)."""

from __future__ import annotations

from flask import Flask, session

from . import limits, links, second_factor  # noqa: F401  (they register their routes on bp)
from .links import password_field, public_url
from .login import SESSION_ABSOLUTE, SESSION_IDLE, bp, parent_required

__all__ = ["parent_required", "password_field", "public_url"]  # what the other blueprints use


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_TIMEOUT", SESSION_IDLE)
    app.config.setdefault("SESSION_ABSOLUTE_TIMEOUT", SESSION_ABSOLUTE)
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SESSION_ABSOLUTE_TIMEOUT"]
    limits.init_app(app)
    app.register_blueprint(bp)

    @app.after_request
    def _account_headers(response):
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        if session.get("sid"):  # pages of a logged-in person are never cached
            response.headers.setdefault("Cache-Control", "no-store")
        return response
