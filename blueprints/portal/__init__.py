"""The parents' screens: home, a child's planning (month and week), the basket and its recap,
and the list and detail of requests. Views are thin: they read through workflows and change
states only through workflows.bookings operations."""

from __future__ import annotations

from flask import Flask

from . import basket, openings, planning, requests, views  # noqa: F401  (register the routes on bp)
from .blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
