"""« Message aux familles »: staff write to the households of a site, a unit, a day or a
class; each gets it in « Mes messages » and by e-mail (workflows.staff_messages)."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import Site
from workflows import staff_messages

from .scope import town_units
from .security import StaffOnly, town_id


class MessageView(StaffOnly, BaseView):
    @expose("/", methods=["GET", "POST"])
    def index(self):
        form = request.form
        if request.method == "POST":
            try:
                day = dt.date.fromisoformat(form["date"]) if form.get("date") else None
                site_id = int(form["site"]) if form.get("site") else None
                unit_id = int(form["unit"]) if form.get("unit") else None
                n = staff_messages.send(
                    current_user.actor,
                    town_id(),
                    form.get("subject", ""),
                    form.get("body", ""),
                    site_id=site_id,
                    unit_id=unit_id,
                    day=day,
                    class_name=form.get("class_name", ""),
                )
            except ValueError as e:
                message = getattr(e, "message_fr", "Critères illisibles.")
                flash(message, "error")
            else:
                flash(f"Message envoyé à {n} foyer(s).", "success")
                return redirect(url_for(".index"))
        sites = list(Site.select().where(Site.town == town_id()).order_by(Site.name))
        units = town_units(town_id())
        return self.render("admin/messages.html", sites=sites, units=units, form=form)
