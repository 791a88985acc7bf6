"""« Dossier foyer »: find a household (name, guardian, e-mail, phone, child, CAF number),
read its whole file, and see each child's planning with the very component parents use
(templates/planning/_component.html, static/planning.js): what staff select there is
sent for the family through the same operation as a parent (workflows.staff_bookings:
bookings.submit as an approver, the history names the staff)."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from models import transaction
from workflows import (
    bookings,
    documents,
    enrolments,
    homes,
    household_file,
    line_checks,
    staff_bookings,
    words,
)
from workflows.engine import WorkflowError

from ..portal.planning import VIEWS, planning_json_of, planning_view
from ..portal.selection import BadInput, for_siblings, parse_date, parse_lines
from ..portal.views import paris_today
from .security import StaffOnly, may, town_id

CUSTODY_KINDS = (
    ("weeks", "Une semaine sur deux (à partir d'un lundi)"),
    ("handover", "Une semaine sur deux, changement un jour donné"),
    ("periods", "Par périodes (chez l'autre foyer aux périodes indiquées)"),
    ("both", "Les deux foyers réservent tous les jours"),
)
CUSTODY_ERRORS = {
    "alternate weeks start on a Monday": "la semaine alternée commence un lundi.",
    "the second home is another household of the same town": (
        "l'autre foyer doit être un autre foyer de la commune."
    ),
    "a shared child has one second home": "l'enfant est déjà partagé avec un autre foyer.",
    "a period runs forward and names one of the two households": (
        "une période va d'un premier jour à un dernier jour."
    ),
}


class HouseholdFileView(StaffOnly, BaseView):
    @expose("/")
    def index(self):
        text = request.args.get("q", "")
        found = household_file.search(town_id(), text) if text else []
        return self.render("admin/household_file/search.html", q=text, found=found)

    def _child(self, data, child_id: int | None):
        """The child of the file whose planning is shown (the first by default); 404 for a
        child of another household."""
        if child_id is None:
            return data.children[0] if data.children else None
        found = next((c for c in data.children if c.id == child_id), None)
        if found is None:
            abort(404)
        return found

    def _may_pass_deadline(self) -> bool:
        return bool(line_checks.PASS_DEADLINE_ROLES & current_user.actor.staff_roles)

    @expose("/<int:household_id>")
    def file(self, household_id: int):
        data = household_file.load(town_id(), household_id)
        if data is None:
            abort(404)
        child = self._child(data, request.args.get("enfant", type=int))
        view = request.args.get("vue", "mois")
        view = view if view in VIEWS else "mois"
        try:
            anchor = parse_date(request.args["date"]) if request.args.get("date") else None
        except BadInput:
            anchor = None
        anchor = anchor or paris_today()
        may_book = may(self.endpoint, "book")
        planning, component = {}, None
        if child is not None:
            # the family's planning, with the very component parents use: staff with the
            # right to pass deadlines may also select the days whose deadline has passed
            planning = planning_view(
                child,
                view,
                anchor,
                count_basket=False,
                may_pass_deadline=may_book and self._may_pass_deadline(),
                household=household_id,  # a shared child, as this household has it
            )
            component = {
                "json_url": url_for(".planning_json", household_id=household_id, child_id=child.id),
                "add_url": url_for(".book", household_id=household_id, child_id=child.id),
                "add_label": "Envoyer pour la famille",
                "sending_text": "Envoi de la demande…",
                "basket_url": None,
                "read_only": not may_book,
                "nav": lambda vue, day: url_for(
                    ".file",
                    household_id=household_id,
                    enfant=child.id,
                    vue=vue,
                    date=day.isoformat(),
                ),
            }
        return self.render(
            "admin/household_file/file.html",
            f=data,
            child=child,
            siblings=[c for c in data.children if c.id != child.id] if child else [],
            component=component,
            poll_ms=int(current_app.config.get("POLL_MS", 5000)),
            may_book=may_book,
            may_end=may(self.endpoint, "end_enrolment"),
            may_custody=may(self.endpoint, "custody"),
            custody=homes.staff_summary(data.children, household_id),
            custody_kinds=CUSTODY_KINDS,
            custody_weekdays=list(enumerate(homes.WEEKDAYS_FR, start=1)),
            booking_words=words.titles("booking"),
            invoice_words=words.titles("invoice"),
            payment_words=words.titles("payment"),
            enrolment_words=words.titles("enrolment"),
            summary_words=words.titles("request_summary"),
            **planning,
        )

    @expose("/<int:household_id>/enfants/<int:child_id>/planning.json")
    def planning_json(self, household_id: int, child_id: int):
        data = household_file.load(town_id(), household_id)
        if data is None:
            abort(404)
        child = self._child(data, child_id)
        may_pass = may(self.endpoint, "book") and self._may_pass_deadline()
        return planning_json_of(
            child, count_basket=False, may_pass_deadline=may_pass, household=household_id
        )

    @expose("/<int:household_id>/enfants/<int:child_id>/reserver", methods=["POST"])
    def book(self, household_id: int, child_id: int):
        """The planning's selection sent for the family (JSON {lines, also}, the X-CSRFToken
        header): one request per child through the parents' operation (staff_bookings),
        the same days for the brothers and sisters ticked in "Appliquer aussi à"; all or
        nothing."""
        data = household_file.load(town_id(), household_id)
        if data is None:
            abort(404)
        child = self._child(data, child_id)
        body = request.get_json(silent=True)
        try:
            if not isinstance(body, dict):
                raise BadInput("Sélection illisible.")
            lines = parse_lines(body.get("lines"))
            also = body.get("also") or []
            if not isinstance(also, list) or not all(isinstance(i, int) for i in also):
                raise BadInput("Liste d'enfants illisible.")
        except BadInput as e:
            return jsonify({"ok": False, "message": str(e)}), 400
        siblings = [c for c in data.children if c.id in set(also) and c.id != child.id]
        extra = for_siblings(lines, siblings, household_id)
        by_child = {child.id: lines}
        for cid, unit_id, day, action in extra.lines:
            by_child.setdefault(cid, []).append((unit_id, day, action))
        names = {c.id: c.first_name for c in data.children}
        sent = []
        try:
            with transaction():
                for cid, its_lines in by_child.items():
                    number, late = staff_bookings.send_for_family(
                        current_user.actor, cid, its_lines, household_id=household_id
                    )
                    sent.append((number, cid, len({(u, d) for u, d, _ in its_lines}), late))
        except bookings.RequestRefused as e:
            problems = [p.message_fr for p in e.problems]
            return jsonify(
                {"ok": False, "message": "Rien n'a été envoyé.", "problems": problems}
            ), 422
        except WorkflowError:
            return jsonify({"ok": False, "message": "Cette demande ne peut pas être envoyée."}), 422

        def said(number, cid, n, late):
            note = f", dont {late} hors délai, décidé(s) aussitôt" if late else ""
            days = f"{n} jour{'s' if n > 1 else ''}{note}"
            return f"Demande n° {number} envoyée pour {names[cid]} ({days})."

        return jsonify(
            {
                "ok": True,
                "numbers": [number for number, *_ in sent],
                "message": " ".join(said(*s) for s in sent),
                "skipped": extra.skipped,
            }
        )

    @expose("/<int:household_id>/inscriptions/<int:enrolment_id>/terminer", methods=["POST"])
    def end_enrolment(self, household_id: int, enrolment_id: int):
        """End an active enrolment of the household: its place goes to the first waiting
        request, whose household is told (enrolments.end)."""
        data = household_file.load(town_id(), household_id)
        enrolment = (
            next((e for e in data.enrolments if e.id == enrolment_id), None) if data else None
        )
        if enrolment is None:
            abort(404)
        try:
            admitted = enrolments.end(current_user.actor, enrolment.id)
        except WorkflowError as e:
            flash(enrolments.refusal_fr(e), "error")
        else:
            told = (
                f" ; {len(admitted)} demande(s) de la liste d'attente admise(s)" if admitted else ""
            )
            flash(f"Inscription de {enrolment.child.first_name} terminée{told}.", "success")
        return redirect(url_for(".file", household_id=household_id))

    @expose("/<int:household_id>/garde/<int:child_id>", methods=["POST"])
    def custody(self, household_id: int, child_id: int):
        """Staff set a child's custody pattern (garde alternée), from its own household's
        file: the other household (its file number), the pattern and the day it starts."""
        data = household_file.load(town_id(), household_id)
        if data is None or child_id not in {
            c.id for c in data.children if c.household_id == household_id
        }:
            abort(404)
        form = request.form
        try:
            other = int(form.get("other", ""))
            kind = form.get("kind", "")
            effective = dt.date.fromisoformat(form.get("effective", ""))
            start = dt.date.fromisoformat(form["start"]) if form.get("start") else None
            handover = int(form.get("handover") or 1)
            periods = [
                (dt.date.fromisoformat(a), dt.date.fromisoformat(b), "second")
                for a, b in (
                    line.split()[:2]
                    for line in form.get("periods", "").splitlines()
                    if line.strip()
                )
            ]
        except ValueError:
            flash(
                "Vérifiez le formulaire : le n° de l'autre foyer, des dates au format "
                "AAAA-MM-JJ (une période par ligne : premier jour, dernier jour).",
                "error",
            )
            return redirect(url_for(".file", household_id=household_id))
        try:
            change = homes.set_pattern(
                current_user.actor,
                child_id,
                other,
                kind,
                effective,
                start=start,
                handover=handover,
                periods=periods,
                reason=form.get("reason", ""),
            )
        except homes.BadPattern as e:
            flash(f"Garde alternée non enregistrée : {CUSTODY_ERRORS.get(str(e), str(e))}", "error")
        except WorkflowError:
            flash("Cette action n'est pas permise à votre compte.", "error")
        else:
            flash(
                f"Garde alternée enregistrée à partir du {effective:%d/%m/%Y} : "
                f"{len(change.changed)} jour(s) changent de foyer, "
                f"{len(change.kept)} réservation(s) acceptée(s) restent au foyer qui les a "
                f"faites ; les deux foyers sont prévenus par e-mail.",
                "success",
            )
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
