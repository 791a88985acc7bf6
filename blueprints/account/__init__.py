"""The parents' own pages: "Ma famille", "Mon compte" (password, connections, data,
towns) and "Mes inscriptions" (enrolments, online requests, certificates), "Mes messages" (what the
town's staff wrote). Thin views: every
object is looked up inside the current household (another household's id gives 404), and
every change goes through workflows."""

from __future__ import annotations

from flask import Flask

from . import (  # noqa: F401  (they register the routes on bp)
    calendar,
    enrolments,
    family,
    messages,
    profile,
    reminders,
    second_factor,
)
from .blueprint import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
