"""An opening's pages: the public one (the window, the seed's hash; once published, the
seed, the request list that lets anyone recompute the draw, and places against requests per
day), and the parents' one (days per child, siblings together, the declarations; then the
outcome)."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models import OpeningDecision, OpeningRequest
from models.openings import Opening
from workflows.engine import WorkflowError
from workflows.opening_allocation import asks_of, day_figures
from workflows.openings import (
    RULE_WORDS,
    ask,
    asked_days,
    closed_words,
    is_open,
    open_days,
    units_of,
)
from workflows.openings import window_words as words_of

from ..auth import parent_required
from .blueprint import bp
from .views import children, household_id, paris_now


def _opening(opening_id: int) -> Opening:
    opening = Opening.get_or_none(Opening.id == opening_id)
    if opening is None or opening.state == "draft":
        abort(404)
    return opening


@bp.route("/ouvertures/<int:opening_id>")
def opening_public(opening_id: int):
    opening = _opening(opening_id)
    published = opening.state == "published"
    listed = []
    if published:
        listed = [
            {
                "number": a.request_id,
                "household": a.household_id,
                "together": a.together,
                "enrolled": a.enrolled,
                "resident": a.resident,
                "situation": a.situation,
            }
            for a in sorted(asks_of(opening), key=lambda a: a.request_id)
        ]
    return render_template(
        "portal/opening_public.html",
        opening=opening,
        window=words_of(opening),
        closed=closed_words(opening),
        is_open=is_open(opening, paris_now()),
        published=published,
        figures=day_figures(opening) if published else [],
        rules=[RULE_WORDS[r] for r in opening.rule_list],
        listed=listed,
    )


@bp.route("/ouvertures/<int:opening_id>/demande", methods=("GET", "POST"))
@parent_required
def opening_request(opening_id: int):
    opening = _opening(opening_id)
    if opening.town_id != current_user.household.town_id:
        abort(404)
    units = units_of(opening)
    unit = units[0] if units else abort(404)
    days = open_days(opening, unit)
    # An opening's requests are the child's own household's: a shared child's second home
    # (garde alternée) does not ask for its places.
    kids = [c for c in children() if c.household_id == household_id()]
    if request.method == "POST":
        together = bool(request.form.get("together"))
        resident = bool(request.form.get("resident"))
        situation = bool(request.form.get("situation"))
        allowed = {d.isoformat(): d for d in days}
        numbers = []
        try:
            for child in kids:
                chosen = [
                    allowed[v] for v in request.form.getlist(f"days-{child.id}") if v in allowed
                ]
                req = ask(
                    current_user.actor,
                    opening,
                    child.id,
                    chosen,
                    unit_id=unit.id,
                    together=together,
                    resident=resident,
                    situation=situation,
                    now=paris_now(),
                )
                if req is not None:
                    numbers.append(f"{child.first_name} : demande n° {req.number}")
        except WorkflowError as e:
            flash(str(e), "error")
            return redirect(url_for("portal.opening_request", opening_id=opening.id))
        if numbers:
            flash(
                "Demande enregistrée (" + " ; ".join(numbers) + "). Vous pouvez la modifier "
                "jusqu'à la clôture.",
                "success",
            )
        else:
            flash("Aucun jour demandé : vos demandes sont retirées.", "success")
        return redirect(url_for("portal.opening_request", opening_id=opening.id))
    mine = {
        r.child_id: r
        for r in OpeningRequest.select().where(
            OpeningRequest.opening == opening.id, OpeningRequest.household == household_id()
        )
    }
    outcome = {}
    if opening.state == "published":
        for d in OpeningDecision.select().where(
            OpeningDecision.opening == opening.id,
            OpeningDecision.child.in_([c.id for c in kids]),
        ):
            outcome[(d.child_id, d.date)] = d
    flags = next(iter(mine.values()), None)
    return render_template(
        "portal/opening_request.html",
        opening=opening,
        window=words_of(opening),
        closed=closed_words(opening),
        is_open=is_open(opening, paris_now()),
        unit=unit,
        days=days,
        kids=kids,
        asked={c: set(asked_days(r)) for c, r in mine.items()},
        numbers={c: r.number for c, r in mine.items()},
        flags=flags,
        outcome=outcome,
        published=opening.state == "published",
        today=dt.date.today(),
    )
