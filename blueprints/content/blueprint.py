"""The public side's blueprint, on its own so that the modules of routes import it without
importing the package that imports them."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("content", __name__)
