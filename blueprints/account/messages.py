"""« Mes messages »: what the town's staff wrote to the household."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from workflows import staff_messages

from ..auth import parent_required
from .blueprint import bp


@bp.route("/mes-messages")
@parent_required
def messages():
    rows = list(staff_messages.of_household(current_user.household.id))
    return render_template("account/messages.html", rows=rows)
