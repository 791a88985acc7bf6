"""What the parents' screens share: the household and children of the request, French
dates in templates, error pages in French, and the home page."""

from __future__ import annotations

import datetime as dt

from flask import g, render_template
from flask_login import current_user
from werkzeug.exceptions import HTTPException, abort

from models import Child, Request
from web import errors
from workflows import basket as baskets
from workflows import dashboard, french, homes, words
from workflows.calendar import PARIS, from_utc_naive

from ..auth import parent_required
from .blueprint import bp
from .cells import date_fr

# (icon, words, css class) of a request (sent, or its summary once done) and of a line.
REQUEST_STATUS = {"sent": words.badges("request")["sent"], **words.badges("request_summary")}
LINE_STATUS = words.badges("request_line")


def paris_now() -> dt.datetime:
    return dt.datetime.now(PARIS)


def paris_today() -> dt.date:
    return paris_now().date()


def household_id() -> int:
    return current_user.household.id


def own_child(child_id: int) -> Child:
    """The child if they belong to the parent's household; 404 otherwise (never 403, so a
    stranger cannot tell a foreign child from a missing one)."""
    for child in children():
        if child.id == child_id:
            return child
    abort(404)


def children() -> list[Child]:
    """The household's children (a shared child's second home included), read once per
    request."""
    if "children" not in g:
        g.children = list(homes.children_of(household_id()).order_by(Child.first_name))
    return g.children


def basket_count() -> int:
    """Lines in the household's basket, read once per request (the planning reads it with
    its cells)."""
    if "basket_count" not in g:
        g.basket_count = baskets.basket_count(household_id())
    return g.basket_count


def request_status(req: Request) -> tuple[str, str, str]:
    if req.state == "sent":
        return REQUEST_STATUS["sent"]
    return REQUEST_STATUS.get(req.summary or "accepted", REQUEST_STATUS["accepted"])


def period_fr(start: dt.date | None, end: dt.date | None) -> str:
    if not start:
        return ""
    if start == end or end is None:
        return f"le {date_fr(start, 'EEE d MMM y')}"
    return f"du {date_fr(start, 'EEE d MMM y')} au {date_fr(end, 'EEE d MMM y')}"


@bp.app_template_filter("salutation")
def _salutation(name: str | None) -> str:
    return french.household_greeting(name)


@bp.app_template_filter("jour_fr")
def _jour_fr(day: dt.date, pattern: str = "EEEE d MMMM y") -> str:
    return date_fr(day, pattern) if day else ""


@bp.app_template_filter("moment_fr")
def _moment_fr(moment: dt.datetime | None) -> str:
    """A stored (naive UTC) moment, as parents read it: 'lundi 23 novembre 2026 à 14h05'."""
    if not moment:
        return ""
    local = from_utc_naive(moment).astimezone(PARIS)
    return f"{date_fr(local.date())} à {local.hour}h{local.minute:02d}"


@bp.app_context_processor
def _portal_context() -> dict:
    if current_user.is_authenticated and getattr(current_user, "household", None) is not None:
        return {"basket_count": basket_count(), "nav_children": children()}
    return {}


# -- errors: the app's French pages (web/errors.py), a family's own word for 403 --------------
@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    return errors.page(e.code, "Cette page est réservée aux familles." if e.code == 403 else None)


# -- home ----------------------------------------------------------------------------------
@bp.route("/")
@parent_required
def home():
    """The family's dashboard: news, this week's menus, pending requests, the amount due,
    the next deadlines, the documents to read (workflows.dashboard), and the children."""
    household = current_user.household
    blocks = dashboard.home(household.id, household.town_id, children(), paris_now())
    return render_template(
        "portal/home.html",
        children=children(),
        home=blocks,
        pending=[(r, request_status(r)) for r in blocks.pending],
        period_fr=period_fr,
    )
