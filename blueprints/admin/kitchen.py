"""The kitchen's screen (« Effectifs repas »): a day's meals per site, unit and meal option
with the children expected, or a site's week; printable, as PDF and as CSV. Registered
here too: the staff API tokens (staff_tokens.py) and the animators' attendance
(attendance.py).

Who may open each screen, and each action on it: its row in workflows/permissions.py."""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import abort, current_app, request
from flask_admin import BaseView, expose

from models import Site
from workflows import documents, kitchen
from workflows.calendar import format_date_fr, now

from .attendance import AttendanceView
from .exports import ExportView
from .figures import FiguresView
from .household_file import HouseholdFileView
from .messages import MessageView
from .security import StaffOnly, town_id
from .staff_tokens import StaffTokenView
from .walk_in import WalkInPriceView


def _day(value: str | None) -> dt.date:
    if not value:
        return now().date() + dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        abort(400)


def _site_id(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        abort(400)


class KitchenView(StaffOnly, BaseView):
    """A day's counts (tomorrow by default) or a site's week, for one site or all."""

    def _values(self):
        day, site_id = _day(request.args.get("date")), _site_id(request.args.get("site"))
        mode = "week" if request.args.get("vue") == "semaine" else "day"
        values = {
            "day": day,
            "day_fr": format_date_fr(day),
            "site_id": site_id,
            "mode": mode,
            "sites": list(Site.select().where(Site.town == town_id()).order_by(Site.name)),
            "error": None,
            "days": [],
            "week": {},
            "children": [],
            "total": None,
        }
        try:
            if mode == "week":
                values["week"] = kitchen.week(town_id(), day, site_id)
                values["days"] = [d for ds in values["week"].values() for d in ds]
            else:
                values["days"] = kitchen.counts(town_id(), day, day, site_id)
                values["total"] = kitchen.totals(values["days"])
                values["final"] = kitchen.day_status(town_id(), day, site_id)
                values["children"] = kitchen.expected_children(town_id(), day, site_id)
        except kitchen.KitchenError as e:
            values["error"] = e.message_fr
        values["codes"] = sorted({c for d in values["days"] for c in d.units})
        values["options"] = sorted({o for d in values["days"] for o in d.options})
        return values

    @expose("/")
    def index(self):
        return self.render("admin/kitchen/counts.html", **self._values())

    @expose("/imprimer")
    def printable(self):
        return self.render("admin/kitchen/print.html", **self._values())

    @expose("/pdf")
    def pdf(self):
        values = self._values()
        if values["error"]:
            abort(400)
        data = documents.render("kitchen.html", **values)
        name = f"effectifs-{values['day'].isoformat()}.pdf"
        return current_app.response_class(
            data,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )

    @expose("/csv")
    def csv(self):
        values = self._values()
        if values["error"]:
            abort(400)
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerows(kitchen.csv_rows(values["days"]))
        if values["mode"] == "day":
            writer.writerow(())
            writer.writerow(("structure", "prestation", "nom", "prénom", "classe", "régime", "PAI"))
            for e in values["children"]:
                writer.writerow(
                    (
                        e.site,
                        e.unit,
                        e.last_name,
                        e.first_name,
                        e.class_name,
                        e.meal_option,
                        "oui" if e.has_pai else "non",
                    )
                )
        name = f"effectifs-{values['day'].isoformat()}.csv"
        return current_app.response_class(
            "\ufeff" + out.getvalue(),  # the BOM: spreadsheets then read UTF-8
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


def register(admin, app) -> None:
    """Add the kitchen's screens to the app's Flask-Admin (called once by admin.init_app)."""
    admin.add_view(
        KitchenView(
            name="Effectifs repas",
            category="Réservations",
            endpoint="admin_kitchen",
            url="/admin/effectifs",
        )
    )
    admin.add_view(
        StaffTokenView(
            name="Jetons d'API agents",
            category="Réservations",
            endpoint="admin_staff_tokens",
            url="/admin/jetons-api",
        )
    )
    admin.add_view(
        AttendanceView(
            name="Pointage",
            category="Réservations",
            endpoint="admin_attendance",
            url="/admin/pointage",
        )
    )
    admin.add_view(
        ExportView(
            name="Exports",
            category="Réservations",
            endpoint="admin_exports",
            url="/admin/exports",
        )
    )
    admin.add_view(
        HouseholdFileView(
            name="Dossier foyer",
            category="Familles",
            endpoint="admin_household_file",
            url="/admin/dossier-foyer",
        )
    )
    admin.add_view(
        MessageView(
            name="Message aux familles",
            category="Familles",
            endpoint="admin_messages",
            url="/admin/message-aux-familles",
        )
    )
    admin.add_view(
        FiguresView(
            name="Chiffres du mois",
            category="Réservations",
            endpoint="admin_figures",
            url="/admin/chiffres",
        )
    )
    admin.add_view(
        WalkInPriceView(
            name="Tarifs sans réservation",
            category="Facturation",
            endpoint="admin_walk_in_prices",
            url="/admin/tarifs-sans-reservation",
        )
    )
