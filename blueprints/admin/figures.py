"""« Chiffres du mois »: per site and unit, days booked, meals served, occupancy, no-shows,
late cancellations, and the outstanding balance; bars drawn as SVG by the page itself."""

from __future__ import annotations

import datetime as dt

from flask import abort, request
from flask_admin import BaseView, expose

from models import Site
from workflows import documents, figures

from .security import StaffOnly, town_id


class FiguresView(StaffOnly, BaseView):
    @expose("/")
    def index(self):
        raw = request.args.get("mois") or dt.date.today().strftime("%Y-%m")
        try:
            month = dt.date.fromisoformat(raw + "-01")
            site_id = int(request.args["site"]) if request.args.get("site") else None
        except ValueError:
            abort(400)
        sites = list(Site.select().where(Site.town == town_id()).order_by(Site.name))
        if site_id is not None and site_id not in {s.id for s in sites}:
            abort(404)
        rows = figures.month_figures(town_id(), month, site_id)
        top = max([r.booked for r in rows] + [r.served for r in rows] + [1])
        return self.render(
            "admin/figures.html",
            rows=rows,
            top=top,
            month=month,
            month_fr=documents.month_fr(month),
            sites=sites,
            site_id=site_id,
            outstanding=figures.outstanding_cents(town_id()),
        )
