"""The basket's recap: correct it, empty it, confirm it (sent once, whatever the taps)."""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from web import inputs
from workflows import basket as baskets
from workflows import bookings, idempotency
from workflows.calendar import format_deadline_fr
from workflows.engine import Forbidden
from workflows.units import unit_infos, until

from ..auth import parent_required
from .blueprint import bp
from .cells import ACTION_WORDS, date_fr
from .views import children, household_id, paris_now


def _basket_groups(problems=None):
    """The basket's lines grouped by child, each with its French words and deadline."""
    now = paris_now()
    lines = baskets.basket_lines(household_id())
    infos = unit_infos({line.unit_id for line in lines}) if lines else {}
    bad = {}
    for p in problems or []:
        bad[(p.child_id, p.unit_id, p.date)] = p.message_fr
    groups: OrderedDict = OrderedDict()
    for line in lines:
        info = infos.get(line.unit_id)
        deadline = until(info, line.action, line.date, now) if info else None
        groups.setdefault(line.child, []).append(
            {
                "id": line.id,
                "date": line.date,
                "unit": line.unit.label,
                "action": line.action,
                "action_fr": ACTION_WORDS.get(line.action, line.action),
                "deadline_fr": format_deadline_fr(deadline.at) if deadline else "",
                "late": bool(deadline and deadline.passed),
                "problem": bad.get((line.child_id, line.unit_id, line.date), ""),
            }
        )
    return groups


def _render_basket(problems=None, status: int = 200):
    groups = _basket_groups(problems)
    names = {c.id: c.first_name for c in children()}
    infos = unit_infos({p.unit_id for p in problems}) if problems else {}
    problem_words = [
        f"{names.get(p.child_id, '')}, {date_fr(p.date, 'EEEE d MMMM')} – "
        f"{infos[p.unit_id].label if p.unit_id in infos else ''} "
        f"({ACTION_WORDS.get(p.action, p.action).lower()}) : {p.message_fr}"
        for p in problems or []
    ]
    return render_template(
        "portal/basket.html",
        groups=groups,
        problems=problem_words,
        idempotency_key=uuid.uuid4().hex,
    ), status


@bp.route("/panier")
@parent_required
def basket():
    return _render_basket()


@bp.route("/panier/retirer", methods=["POST"])
@parent_required
def basket_remove():
    ids = inputs.ids(request.form.getlist("line"))
    if not ids:
        flash("Cochez les lignes à retirer du panier.", "error")
        return redirect(url_for("portal.basket"))
    removed = baskets.basket_remove(current_user.actor, household_id(), ids)
    flash(
        f"{removed} ligne{'s' if removed > 1 else ''} retirée{'s' if removed > 1 else ''} "
        "du panier.",
        "info",
    )
    return redirect(url_for("portal.basket"))


@bp.route("/panier/vider", methods=["POST"])
@parent_required
def basket_empty():
    baskets.basket_empty(current_user.actor, household_id())
    flash("Votre panier a été vidé.", "info")
    return redirect(url_for("portal.basket"))


@bp.route("/panier/confirmer", methods=["POST"])
@parent_required
def basket_confirm():
    """Send the basket. The form carries an idempotency key: a second tap, or the browser
    sending the form again after a timeout, gets the first answer (the request's page)
    instead of "déjà réservé"."""
    key = request.form.get("idempotency_key", "")

    def send() -> tuple[int, str]:
        return 303, json.dumps(baskets.basket_send(current_user.actor, household_id()))

    try:
        if idempotency.valid_key(key):
            _, body, _ = idempotency.once(
                current_user.account.id,
                key,
                idempotency.fingerprint("basket", str(household_id())),
                send,
            )
        else:
            _, body = send()
    except bookings.RequestRefused as e:
        flash(
            "Votre demande n'a pas été envoyée : corrigez les lignes signalées. "
            "Votre panier est conservé.",
            "error",
        )
        return _render_basket(e.problems)
    except (Forbidden, idempotency.KeyReused):
        abort(404)
    ids = json.loads(body)
    if not ids:
        flash("Votre panier est vide.", "error")
        return redirect(url_for("portal.basket"))
    if len(ids) == 1:
        flash(f"Demande n° {ids[0]} envoyée.", "info")
        return redirect(url_for("portal.request_detail", request_id=ids[0]))
    flash(f"Demandes n° {', '.join(map(str, ids))} envoyées.", "info")
    return redirect(url_for("portal.requests_list"))
