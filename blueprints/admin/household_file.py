"""« Dossier foyer »: find a household (name, guardian, e-mail, phone, child, CAF number),
read its whole file, and book or cancel a day for the family through the same operation
as a parent (workflows.bookings.submit, as an approver: the history names the staff)."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import Child, Enrolment, Service, Site, Unit
from workflows import bookings, documents, enrolments, household_file, staff_bookings, words
from workflows.engine import WorkflowError

from .security import StaffOnly, may, town_id


class HouseholdFileView(StaffOnly, BaseView):
    @expose("/")
    def index(self):
        text = request.args.get("q", "")
        found = household_file.search(town_id(), text) if text else []
        return self.render("admin/household_file/search.html", q=text, found=found)

    @expose("/<int:household_id>")
    def file(self, household_id: int):
        data = household_file.load(town_id(), household_id)
        if data is None:
            abort(404)
        units = (
            Unit.select(Unit, Site)
            .join(Service, on=(Unit.service == Service.id))
            .switch(Unit)
            .join(Site, on=(Unit.site == Site.id))
            .where(
                Unit.service.in_(
                    Enrolment.select(Enrolment.service).where(
                        Enrolment.child.in_([c.id for c in data.children])
                    )
                )
            )
            .order_by(Site.name, Unit.position)
        )
        return self.render(
            "admin/household_file/file.html",
            f=data,
            units=list(units),
            may_book=may(self.endpoint, "book"),
            booking_words=words.titles("booking"),
            invoice_words=words.titles("invoice"),
            payment_words=words.titles("payment"),
            enrolment_words=words.titles("enrolment"),
            summary_words=words.titles("request_summary"),
        )

    @expose("/<int:household_id>/reserver", methods=["POST"])
    def book(self, household_id: int):
        data = household_file.load(town_id(), household_id)
        if data is None:
            abort(404)
        try:
            child_id = int(request.form["child"])
            unit_id = int(request.form["unit"])
            day = dt.date.fromisoformat(request.form["date"])
            action = request.form["action"]
        except (KeyError, ValueError):
            abort(400)
        if child_id not in {c.id for c in data.children} or action not in ("book", "cancel"):
            abort(400)
        try:
            number, late = staff_bookings.book_for_family(
                current_user.actor, child_id, unit_id, day, action
            )
        except bookings.RequestRefused as e:
            flash(" ".join(p.message_fr for p in e.problems), "error")
        except WorkflowError:
            flash("Cette demande ne peut pas être envoyée.", "error")
        else:
            child = Child.get_by_id(child_id)
            note = " (hors délai, décidée aussitôt)" if late else ""
            flash(f"Demande n° {number} envoyée pour {child.first_name}{note}.", "success")
        return redirect(url_for(".file", household_id=household_id))

    @expose("/<int:household_id>/attestation/<int:enrolment_id>.pdf")
    def certificate(self, household_id: int, enrolment_id: int):
        """The enrolment certificate, as the parent downloads it."""
        data = household_file.load(town_id(), household_id)
        enrolment = (
            next((e for e in data.enrolments if e.id == enrolment_id), None) if data else None
        )
        if enrolment is None or enrolment.state not in ("active", "ended"):
            abort(404)
        pdf = documents.render(
            "enrolment_certificate.html", **enrolments.certificate_values(enrolment)
        )
        name = f"attestation-inscription-{enrolment.id}.pdf"
        return current_app.response_class(
            pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )
