"""The household's calendar addresses (iCalendar): shown and regenerated in "Mon compte",
read without login by calendar apps (the token is the only key; rate-limited per token)."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from web.urls import external_url
from workflows import calendar_feed

from ..auth import parent_required
from ..auth.limits import limiter
from ..portal.views import children
from .blueprint import bp


def calendar_addresses(household_id: int) -> list[tuple[str, str]]:
    """(label, address) of the household's feeds: all its children, then each child."""
    out = [("Tous les enfants", calendar_feed.token_for(household_id, None))]
    out += [(c.first_name, calendar_feed.token_for(household_id, c.id)) for c in children()]
    return [(label, external_url("account.calendar", token=t)) for label, t in out]


@bp.route("/calendrier/<token>.ics")
@limiter.limit(
    lambda: current_app.config.get("RATELIMIT_CALENDAR", "60 per hour"),
    key_func=lambda: "calendar:" + (request.view_args or {}).get("token", "")[:64],
    scope="calendar",
)
def calendar(token: str):
    body = calendar_feed.feed(token, deadlines=request.args.get("echeances") == "1")
    if body is None:
        abort(404)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=900", "X-Robots-Tag": "noindex"},
    )


@bp.route("/mon-compte/calendrier/regenerer", methods=["POST"])
@parent_required
def calendar_regenerate():
    calendar_feed.regenerate(current_user.household.id)
    flash(
        "Nouvelles adresses de calendrier créées : les anciennes ne fonctionnent plus.", "success"
    )
    return redirect(url_for("account.overview") + "#calendrier")
