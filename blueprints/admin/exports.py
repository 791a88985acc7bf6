"""« Exports »: bookings, attendance, invoices, payments and households as CSV or XLSX, for a
period (and a site where it applies), or with the filters of the list they come from: a
list's export link carries its query string (Flask-Admin's `flt…` filters and `search`),
and the list's own view turns them into the ids it shows (`list_ids`), so an export holds
exactly the rows of its list. Who may export what: the kinds of its row in
workflows/permissions.py."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, request, url_for
from flask_admin import BaseView, expose

from models import Service, Site, Unit
from workflows import exports

from .security import StaffOnly, may, town_id

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the kind of export of each list screen (its endpoint)
LIST_KINDS = {
    "admin_booking": "reservations",
    "billing_invoices": "factures",
    "billing_payments": "reglements",
    "admin_household": "foyers",
}
LIST_ARGS = ("search",)  # with every "flt…" argument: what a list's filters are


def list_ids(endpoint: str):
    """The ids the list screen `endpoint` shows for this request's filters and search (a
    subquery; no paging), through the list's own Flask-Admin code; None without any
    filter; 400 for a filter the list would refuse."""
    args = {k: v for k, v in request.args.items() if k.startswith("flt") or k in LIST_ARGS}
    if not args:
        return None
    view = next(v for v in current_app.extensions["portail_admin"]._views if v.endpoint == endpoint)
    filters = view._get_list_filter_args() or []
    if len(filters) != sum(1 for k in args if k.startswith("flt")):
        abort(400)  # an unknown filter or a value it refuses: never a silently wider export
    _, query = view.get_list(
        None, None, None, args.get("search"), filters, execute=False, page_size=0
    )
    return query.order_by().select(view.model.id)


def list_export_links(endpoint: str) -> dict[str, str] | None:
    """The CSV and XLSX addresses of a list screen's export, with the list's current
    filters; None when the staff member may not export that kind."""
    kind = LIST_KINDS[endpoint]
    if not may("admin_exports", kind):
        return None
    args = {k: v for k, v in request.args.items() if k.startswith("flt") or k in LIST_ARGS}
    return {
        fmt: url_for("admin_exports.download", kind=kind, fmt=fmt, **args)
        for fmt in ("csv", "xlsx")
    }


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

    def _filters(self, kind: str) -> exports.Filters:
        """The period and site of the exports screen (the period optional when the export
        comes from a list), the attendance sheet's unit, the list's own filters."""
        du, au = request.args.get("du", ""), request.args.get("au", "")
        raw_site, raw_unit = request.args.get("site") or "", request.args.get("prestation") or ""
        try:
            start = dt.date.fromisoformat(du) if du or au else None
            end = dt.date.fromisoformat(au) if du or au else None
            site_id = int(raw_site) if raw_site else None
            unit_id = int(raw_unit) if raw_unit and kind == "pointage" else None
        except ValueError:
            abort(400)
        if start is not None and (end < start or (end - start).days > 400):
            abort(400)
        if site_id is not None and not Site.get_or_none(Site.id == site_id, Site.town == town_id()):
            abort(404)
        if unit_id is not None and not (
            Unit.select()
            .join(Service)
            .where(Unit.id == unit_id, Service.town == town_id())
            .exists()
        ):
            abort(404)
        endpoint = next((e for e, k in LIST_KINDS.items() if k == kind), None)
        only = list_ids(endpoint) if endpoint else None
        return exports.Filters(start, end, site_id, unit_id, only)

    @expose("/<kind>.<fmt>")
    def download(self, kind: str, fmt: str):
        allowed = self._allowed()
        if kind not in exports.KINDS or fmt not in ("csv", "xlsx"):
            abort(404)
        if kind not in allowed:
            abort(403)
        flt = self._filters(kind)
        title, build = allowed[kind]
        data = build(town_id(), flt)
        period = f"-{flt.start.isoformat()}-{flt.end.isoformat()}" if flt.start else ""
        name = f"{kind}{period}.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "csv":
            return current_app.response_class(
                exports.to_csv(data), mimetype="text/csv", headers=headers
            )
        return current_app.response_class(
            exports.to_xlsx(data, title), mimetype=XLSX, headers=headers
        )


def sheet_export_links(unit_id: int, day: dt.date) -> dict[str, str] | None:
    """The attendance sheet's export: its day and unit."""
    if not may("admin_exports", "pointage"):
        return None
    args = {"du": day.isoformat(), "au": day.isoformat(), "prestation": unit_id}
    return {
        fmt: url_for("admin_exports.download", kind="pointage", fmt=fmt, **args)
        for fmt in ("csv", "xlsx")
    }


class ExportedList:
    """A list screen with export links carrying its filters (templates/admin/list_export.html)."""

    list_template = "admin/list_export.html"

    def export_links(self) -> dict[str, str] | None:
        return list_export_links(self.endpoint)
