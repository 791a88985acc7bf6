"""The parents' screens: home, a child's planning (month and week), the basket and its recap,
and the list and detail of requests. Views are thin: they read through workflows and change
states only through workflows.bookings operations."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("portal", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
