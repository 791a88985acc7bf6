"""The parents' screens: planning, basket, requests."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, url_for

from ..auth import parent_required

bp = Blueprint("portal", __name__)


@bp.route("/")
@parent_required
def home():
    return redirect(url_for("portal.requests_list"))


@bp.route("/demandes")
@parent_required
def requests_list():
    return "Mes demandes"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
