"""The billing office's own screen (régie): the month's invoicing with its progress, the
preview of the drafts and their issue (jobs), the balances, offline payments and credit
notes, for staff with the finance (or admin) role, in their own town."""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from jobs.invoicing import enqueue_issue, enqueue_run
from models import Household
from models.billing import (
    PAYMENT_METHODS,
    CreditNote,
    Invoice,
    InvoicingRun,
)
from web import inputs
from workflows import billing, documents, invoicing, pricing, words
from workflows.engine import WorkflowError

from .fields import EurosField
from .security import AdminForm, StaffOnly, town_id


# -- forms -------------------------------------------------------------------------------------
def _months():
    today = dt.date.today()
    first = pricing.previous_month(today)
    out = []
    for _ in range(12):
        out.append((first.isoformat(), documents.month_fr(first)))
        first = pricing.previous_month(first)
    return out


class RunForm(AdminForm):
    month = SelectField("Mois à facturer", validators=[DataRequired()])


class OfflinePaymentForm(AdminForm):
    household = SelectField("Foyer", coerce=int, validators=[DataRequired()])
    method = SelectField(
        "Mode de règlement", choices=[(k, v) for k, v in PAYMENT_METHODS.items() if k != "online"]
    )
    amount = EurosField("Montant (€, par exemple 2,70)", validators=[InputRequired()])
    reference = StringField(
        "Référence (n° de chèque, de virement…)", validators=[Optional(), Length(max=100)]
    )


class CreditForm(AdminForm):
    amount = EurosField("Montant de l'avoir (€, vide : tout le solde)")
    reason = TextAreaField("Motif", validators=[DataRequired(), Length(max=2000)])


def _submitted(form) -> bool:
    return request.method == "POST" and form.validate()


class BillingOfficeView(StaffOnly, BaseView):
    """The month's invoicing with its progress, the preview, issuing; balances; offline
    payments; credit notes."""

    def _run(self, run_id: int) -> InvoicingRun:
        run = InvoicingRun.get_or_none(InvoicingRun.id == run_id, InvoicingRun.town == town_id())
        return run or abort(404)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        form = RunForm(request.form)
        form.month.choices = _months()
        if _submitted(form):
            month = dt.date.fromisoformat(form.month.data)
            run = invoicing.create_run(current_user.actor, town_id(), month)
            enqueue_run(current_app.config, run.id)
            flash(f"Facturation de {documents.month_fr(month)} lancée.", "success")
            return redirect(url_for(".index"))
        runs = list(
            InvoicingRun.select()
            .where(InvoicingRun.town == town_id())
            .order_by(InvoicingRun.id.desc())
            .limit(20)
        )
        busy = any(r.state in ("queued", "running", "issuing") for r in runs)
        return self.render(
            "billing/admin/runs.html",
            form=form,
            runs=runs,
            busy=busy,
            run_states=words.titles("invoicing_run"),
        )

    @expose("/progression/<int:run_id>")
    def progress(self, run_id: int):
        run = self._run(run_id)
        return {
            "state": run.state,
            "done": run.done,
            "total": run.total,
            "created": run.created,
            "issued": run.issued,
        }

    @expose("/apercu/<int:run_id>")
    def preview(self, run_id: int):
        run = self._run(run_id)
        drafts = list(
            Invoice.select()
            .where(Invoice.town == town_id(), Invoice.month == run.month, Invoice.state == "draft")
            .order_by(Invoice.household_name)
            .limit(500)
        )
        summary = invoicing.month_summary(town_id(), run.month)
        return self.render(
            "billing/admin/preview.html",
            run=run,
            drafts=drafts,
            summary=summary,
            states=words.titles("invoice"),
        )

    @expose("/apercu/<int:run_id>/facture/<int:invoice_id>.pdf")
    def draft_pdf(self, run_id: int, invoice_id: int):
        inv = Invoice.get_or_none(Invoice.id == invoice_id, Invoice.town == town_id())
        if inv is None:
            abort(404)
        data = documents.stored_invoice_pdf(inv, current_app.instance_path)
        return current_app.response_class(data, mimetype="application/pdf")

    @expose("/emettre/<int:run_id>", methods=["POST"])
    def issue(self, run_id: int):
        run = self._run(run_id)
        invoicing.advance_run(run.id, "issue", current_user.actor)
        enqueue_issue(current_app.config, run.id, current_user.account.id)
        flash("Émission des factures lancée : numéros, e-mails et PDF.", "success")
        return redirect(url_for(".index"))

    @expose("/brouillons/<int:run_id>/supprimer", methods=["POST"])
    def discard(self, run_id: int):
        run = self._run(run_id)
        count = invoicing.discard_drafts(current_user.actor, town_id(), run.month)
        flash(f"{count} brouillon(s) supprimé(s).", "success")
        return redirect(url_for(".index"))

    @expose("/soldes")
    def balances(self):
        rows = billing.balances(town_id())
        return self.render("billing/admin/balances.html", rows=rows, total=sum(r[3] for r in rows))

    @expose("/reglement", methods=["GET", "POST"])
    def offline_payment(self):
        form = OfflinePaymentForm(request.form)
        households = list(
            Household.select(Household.id, Household.name)
            .where(Household.town == town_id())
            .order_by(Household.name)
        )
        form.household.choices = [(h.id, h.name) for h in households]
        if request.method == "GET" and request.args.get("foyer", "").isdigit():
            form.household.data = int(request.args["foyer"])
        if _submitted(form):
            try:
                cents = form.amount.data  # EurosField: cents
                invoice_ids = inputs.ids(request.form.getlist("invoice"))
                billing.record_offline_payment(
                    current_user.actor,
                    form.household.data,
                    form.method.data,
                    cents,
                    invoice_ids or None,
                    form.reference.data or "",
                )
            except WorkflowError as exc:
                flash(billing.message_fr(exc.code), "error")
            except (ValueError, ArithmeticError):
                flash(billing.message_fr("bad_amount"), "error")
            else:
                flash(f"Règlement de {pricing.format_euros(cents)} enregistré.", "success")
                return redirect(url_for(".balances"))
        open_invoices = []
        if form.household.data:
            open_invoices = list(
                Invoice.select()
                .where(
                    Invoice.household == form.household.data,
                    Invoice.town == town_id(),
                    Invoice.state.in_(billing.OPEN_STATES),
                )
                .order_by(Invoice.month)
            )
        return self.render("billing/admin/offline_payment.html", form=form, invoices=open_invoices)

    @expose("/avoir/<int:invoice_id>", methods=["GET", "POST"])
    def credit_note(self, invoice_id: int):
        inv = Invoice.get_or_none(Invoice.id == invoice_id, Invoice.town == town_id())
        if inv is None:
            abort(404)
        form = CreditForm(request.form)
        if _submitted(form):
            try:
                cents = form.amount.data  # EurosField: cents, None for the whole balance
                note = billing.credit(current_user.actor, inv.id, cents, form.reason.data)
            except WorkflowError as exc:
                flash(billing.message_fr(exc.code), "error")
            except (ValueError, ArithmeticError):
                flash(billing.message_fr("bad_amount"), "error")
            else:
                flash(f"Avoir {note.number} créé.", "success")
                return redirect(url_for(".index"))
        return self.render("billing/admin/credit_note.html", form=form, invoice=inv)

    @expose("/avoirs/<int:note_id>.pdf")
    def credit_note_pdf(self, note_id: int):
        note = CreditNote.get_or_none(CreditNote.id == note_id, CreditNote.town == town_id())
        if note is None:
            abort(404)
        return current_app.response_class(
            documents.credit_note_pdf(note), mimetype="application/pdf"
        )
