"""« Exports »: bookings, attendance, invoices, payments and households as CSV or XLSX, for a
period (and a site where it applies). Who may export what: the kinds of its row in
workflows/permissions.py."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, request
from flask_admin import BaseView, expose

from models import Site
from workflows import exports

from .security import StaffOnly, may, town_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportView(StaffOnly, BaseView):
    def _allowed(self) -> dict:
        """The kinds of export the permission table gives the staff member (one action of
        this screen's row each)."""
        return {k: v for k, v in exports.KINDS.items() if may(self.endpoint, k)}

    @expose("/")
    def index(self):
        today = dt.date.today()
        return self.render(
            "admin/exports.html",
            kinds=self._allowed(),
            sites=list(Site.select().where(Site.town == town_id()).order_by(Site.name)),
            start=today.replace(day=1),
            end=today,
        )

    @expose("/<kind>.<fmt>")
    def download(self, kind: str, fmt: str):
        allowed = self._allowed()
        if kind not in exports.KINDS or fmt not in ("csv", "xlsx"):
            abort(404)
        if kind not in allowed:
            abort(403)
        try:
            start = dt.date.fromisoformat(request.args.get("du", ""))
            end = dt.date.fromisoformat(request.args.get("au", ""))
            raw_site = request.args.get("site") or ""
            site_id = int(raw_site) if raw_site else None
        except ValueError:
            abort(400)
        if end < start or (end - start).days > 400:
            abort(400)
        if site_id is not None and not Site.get_or_none(Site.id == site_id, Site.town == town_id()):
            abort(404)
        title, build = allowed[kind]
        data = build(town_id(), start, end, site_id)
        name = f"{kind}-{start.isoformat()}-{end.isoformat()}.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "csv":
            return current_app.response_class(
                exports.to_csv(data), mimetype="text/csv", headers=headers
            )
        return current_app.response_class(
            exports.to_xlsx(data, title), mimetype=XLSX, headers=headers
        )
