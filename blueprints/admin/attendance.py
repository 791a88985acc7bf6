"""« Pointage »: on a phone or a tablet, the animator of a site ticks each expected child of
a unit and a day present, absent or absence justified, and adds a child who came without a
booking. The page keeps its marks in the browser (static/attendance.js) and sends them
when the connection is back; each mark carries its own id, so nothing is counted twice."""

from __future__ import annotations

import datetime as dt

from flask import abort, jsonify, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from workflows import attendance
from workflows.calendar import format_date_fr, now

from .exports import sheet_export_links
from .scope import town_units
from .security import StaffOnly, town_id


def _day(value) -> dt.date:
    if not value:
        return now().date()
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        abort(400)


class AttendanceView(StaffOnly, BaseView):
    @expose("/")
    def index(self):
        day = _day(request.args.get("date"))
        raw = request.args.get("unit", "")
        if not raw.isdigit():
            return self.render("admin/attendance/choose.html", units=town_units(town_id()), day=day)
        try:
            unit = attendance.town_unit(town_id(), int(raw))
        except attendance.AttendanceError as e:
            return self.render(
                "admin/attendance/choose.html",
                units=town_units(town_id()),
                day=day,
                error=e.message_fr,
            )
        return self.render(
            "admin/attendance/sheet.html",
            unit=unit,
            day=day,
            day_fr=format_date_fr(day),
            rows=attendance.sheet(town_id(), unit.id, day),
            addable=attendance.addable(town_id(), unit, day),
            locked=attendance.is_locked(town_id(), day),
            statuses=attendance.STATUS_FR,
            post_url=url_for(".marks"),
            export=sheet_export_links(unit.id, day),
        )

    @expose("/marques", methods=["POST"])
    def marks(self):
        """JSON {unit, date, marks: [{id, child, status, at, unplanned}]} -> {kept: {id:
        status}}; errors {error, message} with the French message for the page."""
        data = request.get_json(silent=True) or {}
        try:
            unit_id, day = int(data["unit"]), dt.date.fromisoformat(data["date"])
            specs = [
                attendance.MarkSpec(
                    str(m["id"]),
                    int(m["child"]),
                    str(m["status"]),
                    dt.datetime.fromisoformat(str(m["at"]).replace("Z", "+00:00")),
                    bool(m.get("unplanned")),
                )
                for m in data["marks"]
            ]
        except (KeyError, TypeError, ValueError):
            return jsonify({"error": "bad_request", "message": "Pointage illisible."}), 400
        if any(s.marked_at.tzinfo is None for s in specs):
            return jsonify({"error": "bad_request", "message": "Pointage illisible."}), 400
        try:
            kept = attendance.record(current_user.actor, town_id(), unit_id, day, specs)
        except attendance.AttendanceError as e:
            status = 409 if e.code == "locked" else 422
            return jsonify({"error": e.code, "message": e.message_fr}), status
        return jsonify({"kept": kept})
