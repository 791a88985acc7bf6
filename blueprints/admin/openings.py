"""Openings of limited places: defined by staff (the town's rules in its order), opened,
previewed once allocated, published (workflows/openings.py, opening_allocation.py).
Admin role only for now (see issue 12's permission table)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_login import current_user
from wtforms import SelectField

from models import Unit
from models.openings import RULES, Opening, OpeningUnit
from workflows import messages, words
from workflows.calendar import PARIS, to_utc_naive
from workflows.engine import WorkflowError
from workflows.opening_allocation import (
    allocate,
    compute,
    day_figures,
    preview,
    publish,
    reallocate,
)
from workflows.openings import RULE_WORDS, OpeningRefused, open_collecting, units_of

from .base import TownModelView, datetime_fr
from .security import town_id


class OpeningView(TownModelView):
    can_edit = False  # the window and the rules are fixed once defined: the draw is public
    column_list = ("label", "start", "end", "opens_at", "closes_at", "state")
    column_labels = {
        "label": "Ouverture",
        "service": "Service",
        "start": "Du",
        "end": "Au",
        "opens_at": "Demandes à partir du (heure de Paris)",
        "closes_at": "Demandes jusqu'au (heure de Paris)",
        "announce_at": "Attribution annoncée le (heure de Paris)",
        "state": "État",
        "rules": "Règles, dans l'ordre",
    }
    column_formatters = {"state": lambda v, c, m, n: words.title("opening", m.state)}
    form_columns = ("label", "service", "start", "end", "opens_at", "closes_at", "announce_at")
    # The town's rules, in its order: one menu per rank (a multiple choice has no order).
    form_extra_fields = {
        f"rule_{i}": SelectField(
            f"Priorité {i}",
            choices=[("", "—"), *((r, RULE_WORDS[r]) for r in RULES)],
            default=RULES[i - 1],
        )
        for i in range(1, len(RULES) + 1)
    }
    column_details_list = ("label", "service", "start", "end", "opens_at", "closes_at", "state")

    def get_query(self):
        return Opening.select().where(Opening.town == town_id())

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        for name in ("opens_at", "closes_at", "announce_at"):
            value = getattr(model, name)
            if value is not None and value.tzinfo is None:
                setattr(model, name, to_utc_naive(value.replace(tzinfo=PARIS)))
        chosen = [form[f"rule_{i}"].data for i in range(1, len(RULES) + 1)]
        model.rules = ",".join(dict.fromkeys(r for r in chosen if r in RULES))

    def after_model_change(self, form, model, is_created):
        if is_created:  # the service's units with limited places
            units = Unit.select(Unit.id).where(Unit.service == model.service_id)
            rows = [{"opening": model.id, "unit": u} for (u,) in units.tuples()]
            if rows:
                OpeningUnit.insert_many(rows).execute()

    @expose("/apercu/<int:opening_id>", methods=("GET",))
    def preview_view(self, opening_id):
        opening = self.get_one(opening_id)
        decisions = preview(opening)
        same = None
        if opening.state == "allocated":  # the draw again, now: same seed, same result?
            again = {(d.child_id, d.date, d.outcome, d.rank) for d in compute(opening)}
            same = again == {(d.child_id, d.date, d.outcome, d.rank) for d in decisions}
        return self.render(
            "admin/opening_preview.html",
            same=same,
            opening=opening,
            state=words.title("opening", opening.state),
            units=units_of(opening),
            decisions=decisions,
            figures=day_figures(opening),
            rule_words=RULE_WORDS,
            rules=[RULE_WORDS[r] for r in opening.rule_list],
            closes=datetime_fr(opening.closes_at),
            opens=datetime_fr(opening.opens_at),
        )

    @expose("/apercu/<int:opening_id>", methods=("POST",))
    def act(self, opening_id):
        opening = self.get_one(opening_id)
        what = request.form.get("action")
        actor = current_user.actor
        try:
            if what == "open":
                open_collecting(opening, actor)
                flash("Demandes ouvertes : la graine du tirage est engagée.", "success")
            elif what == "allocate":
                n = allocate(opening.id, actor, now=dt.datetime.now(PARIS))
                if n is None:
                    flash("Les demandes ne sont pas encore closes, ou déjà attribuées.", "error")
                else:
                    flash(f"{n} jour(s) attribué(s) : vérifiez l'aperçu, puis publiez.", "success")
            elif what == "reallocate":
                n = reallocate(opening, actor)
                flash(f"{n} jour(s) attribué(s) de nouveau, sur les places restantes.", "success")
            elif what == "publish":
                n = publish(opening, actor, public_url=current_app.config.get("PUBLIC_URL", ""))
                flash(f"Attribution publiée : {n} famille(s) prévenue(s) par courriel.", "success")
        except WorkflowError as e:
            text = str(e) if isinstance(e, OpeningRefused) else messages.reason_fr(e.code)
            flash(text or messages.reason_fr("invalid_transition"), "error")
        return redirect(url_for(".preview_view", opening_id=opening.id))


def register(admin, app) -> None:
    admin.add_view(
        OpeningView(
            Opening,
            name="Ouvertures (places limitées)",
            category="Catalogue",
            endpoint="admin_opening",
            url="/admin/ouvertures",
        )
    )
