"""Flask-Admin screens for the billing office (régie): prices, justified absences, the
month's invoicing (run with progress, preview, issue), offline payments, balances, credit
notes. Every screen requires a staff account with the finance (or admin) role and shows
only the staff member's town. Forms are `SecureForm`s carrying Flask-WTF's token (see
blueprints.admin.security), so the app's CSRFProtect accepts them.

Wire it from the admin's init_app: `billing_admin.register(admin, app)`.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.model import typefmt
from flask_login import current_user
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from models import Child, Household, Service, Unit
from models.billing import (
    PAYMENT_METHODS,
    AbsenceJustification,
    CreditNote,
    Invoice,
    InvoicingRun,
    Payment,
    Price,
)
from workflows import billing, documents, invoicing, pricing, words
from workflows.engine import WorkflowError

from ..admin.base import ReadOnlyModelView, TownModelView
from ..admin.security import AdminForm, StaffOnly, town_id

FINANCE_ROLES = frozenset({"finance", "admin"})


class FinanceScreen:
    """Mixin for the billing office's model screens: finance or admin staff only. They show
    datetimes and booleans as Flask-Admin does, and no page-size menu."""

    required_roles = FINANCE_ROLES
    column_type_formatters = dict(typefmt.BASE_FORMATTERS)
    column_type_formatters_detail = dict(typefmt.DETAIL_FORMATTERS)
    can_set_page_size = False


def _euros(view, context, model, name):
    return pricing.format_euros(getattr(model, name) or 0)


def _date(view, context, model, name):
    value = getattr(model, name)
    return value.strftime("%d/%m/%Y") if value else ""


def _month(view, context, model, name):
    return model.month.strftime("%m/%Y")


def _town_units(town):
    return Unit.select().join(Service).where(Service.town == town).order_by(Unit.position)


def _town_children(town):
    return (
        Child.select()
        .join(Household)
        .where(Household.town == town)
        .order_by(Child.last_name, Child.first_name)
    )


class PriceView(FinanceScreen, TownModelView):
    column_list = ("unit", "qf_min", "qf_max", "amount_cents", "valid_from", "valid_to")
    column_labels = {
        "unit": "Prestation",
        "qf_min": "QF de",
        "qf_max": "QF jusqu'à",
        "amount_cents": "Prix",
        "valid_from": "Du",
        "valid_to": "Au",
    }
    column_formatters = {"amount_cents": _euros, "valid_from": _date, "valid_to": _date}
    # Staff type euros ("2,70"); the table keeps integer cents (pricing.euros_to_cents).
    form_columns = ("unit", "qf_min", "qf_max", "price_euros", "valid_from", "valid_to")
    form_extra_fields = {
        "price_euros": StringField(
            "Prix (€, par exemple 2,70)",
            validators=[DataRequired("Indiquez le prix."), Length(max=12)],
        )
    }
    form_args = {"qf_max": {"label": "QF jusqu'à (vide : sans limite)"}}
    can_delete = True

    def _scope(self, form):
        form.unit.query = _town_units(town_id())
        return form

    def create_form(self, obj=None):
        return self._scope(super().create_form(obj))

    def edit_form(self, obj=None):
        form = self._scope(super().edit_form(obj))
        if obj is not None and not form.price_euros.data:
            form.price_euros.data = f"{obj.amount_cents / 100:.2f}".replace(".", ",")
        return form

    def on_model_change(self, form, model, is_created):
        unit = _town_units(town_id()).where(Unit.id == model.unit_id).first()
        if unit is None:
            raise ValueError("Prestation inconnue.")
        try:
            model.amount_cents = pricing.euros_to_cents(form.price_euros.data)
        except (ValueError, ArithmeticError):
            raise ValueError(
                "Prix invalide : indiquez un montant en euros, par exemple 2,70."
            ) from None
        if model.amount_cents < 0:
            raise ValueError("Le prix doit être positif.")
        if model.valid_to and model.valid_to < model.valid_from:
            raise ValueError("La fin de validité précède son début.")
        model.town = town_id()


class AbsenceView(FinanceScreen, TownModelView):
    column_list = ("child", "unit", "start", "end", "reason")
    column_labels = {
        "child": "Enfant",
        "unit": "Prestation (vide : toutes)",
        "start": "Du",
        "end": "Au",
        "reason": "Motif",
    }
    column_formatters = {"start": _date, "end": _date}
    form_columns = ("child", "unit", "start", "end", "reason")

    def _scope(self, form):
        form.child.query = _town_children(town_id())
        form.unit.query = _town_units(town_id())
        return form

    def create_form(self, obj=None):
        return self._scope(super().create_form(obj))

    def edit_form(self, obj=None):
        return self._scope(super().edit_form(obj))

    def on_model_change(self, form, model, is_created):
        if not _town_children(town_id()).where(Child.id == model.child_id).exists():
            raise ValueError("Enfant inconnu.")
        if model.end < model.start:
            raise ValueError("La fin précède le début.")
        if is_created:
            model.created_by = current_user.account.id


class InvoiceView(FinanceScreen, ReadOnlyModelView):
    column_list = (
        "number",
        "household_name",
        "month",
        "state",
        "issue_date",
        "due_date",
        "total_cents",
        "paid_cents",
        "credited_cents",
    )
    column_labels = {
        "number": "N°",
        "household_name": "Foyer",
        "month": "Mois",
        "state": "État",
        "issue_date": "Émise le",
        "due_date": "Échéance",
        "total_cents": "Total",
        "paid_cents": "Payé",
        "credited_cents": "Avoirs",
    }
    column_formatters = {
        "total_cents": _euros,
        "paid_cents": _euros,
        "credited_cents": _euros,
        "month": _month,
        "issue_date": _date,
        "due_date": _date,
        "state": lambda v, c, m, n: words.title("invoice", m.state),
        "number": lambda v, c, m, n: m.number or "(brouillon)",
    }
    column_searchable_list = ("number", "household_name")
    column_filters = ("state", "month")
    column_default_sort = ("id", True)


class PaymentView(FinanceScreen, ReadOnlyModelView):
    column_list = (
        "created_at",
        "household",
        "method",
        "state",
        "amount_cents",
        "reference",
        "transaction_id",
    )
    column_labels = {
        "created_at": "Date",
        "household": "Foyer",
        "method": "Mode",
        "state": "État",
        "amount_cents": "Montant",
        "reference": "Référence",
        "transaction_id": "Transaction",
    }
    column_formatters = {
        "amount_cents": _euros,
        "method": lambda v, c, m, n: PAYMENT_METHODS.get(m.method, m.method),
        "state": lambda v, c, m, n: words.title("payment", m.state),
        "household": lambda v, c, m, n: m.household.name,
    }
    column_filters = ("state", "method")
    column_default_sort = ("id", True)


class CreditNoteView(FinanceScreen, ReadOnlyModelView):
    column_list = ("number", "invoice", "amount_cents", "reason", "created_at")
    column_labels = {
        "number": "N°",
        "invoice": "Facture",
        "amount_cents": "Montant",
        "reason": "Motif",
        "created_at": "Date",
    }
    column_formatters = {"amount_cents": _euros, "invoice": lambda v, c, m, n: m.invoice.number}
    column_default_sort = ("id", True)


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
    amount = StringField("Montant (€)", validators=[DataRequired(), Length(max=12)])
    reference = StringField(
        "Référence (n° de chèque, de virement…)", validators=[Optional(), Length(max=100)]
    )


class CreditForm(AdminForm):
    amount = StringField(
        "Montant de l'avoir (€, vide : tout le solde)", validators=[Optional(), Length(max=12)]
    )
    reason = TextAreaField("Motif", validators=[DataRequired(), Length(max=2000)])


def _submitted(form) -> bool:
    return request.method == "POST" and form.validate()


class BillingOfficeView(StaffOnly, BaseView):
    """The month's invoicing with its progress, the preview, issuing; balances; offline
    payments; credit notes."""

    required_roles = FINANCE_ROLES

    def _run(self, run_id: int) -> InvoicingRun:
        run = InvoicingRun.get_or_none(InvoicingRun.id == run_id, InvoicingRun.town == town_id())
        return run or abort(404)

    @expose("/", methods=["GET", "POST"])
    def index(self):
        form = RunForm(request.form)
        form.month.choices = _months()
        if _submitted(form):
            from jobs.invoicing import enqueue_run

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
        from jobs.invoicing import enqueue_issue

        run = self._run(run_id)
        invoicing.mark_run(run.id, "issuing")
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
                cents = pricing.euros_to_cents(form.amount.data)
                invoice_ids = [int(x) for x in request.form.getlist("invoice")]
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
                cents = pricing.euros_to_cents(form.amount.data) if form.amount.data else None
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


def register(admin, app) -> None:
    """Add the billing screens to the app's Flask-Admin (call from the admin's init_app)."""
    category = "Facturation"
    admin.add_view(
        BillingOfficeView(
            name="Facturation du mois",
            category=category,
            endpoint="billing_office",
            url="/admin/facturation",
        )
    )
    admin.add_view(
        PriceView(
            Price, name="Tarifs", category=category, endpoint="billing_prices", url="/admin/tarifs"
        )
    )
    admin.add_view(
        InvoiceView(
            Invoice,
            name="Factures",
            category=category,
            endpoint="billing_invoices",
            url="/admin/factures",
        )
    )
    admin.add_view(
        PaymentView(
            Payment,
            name="Règlements",
            category=category,
            endpoint="billing_payments",
            url="/admin/reglements",
        )
    )
    admin.add_view(
        CreditNoteView(
            CreditNote,
            name="Avoirs",
            category=category,
            endpoint="billing_credit_notes",
            url="/admin/avoirs",
        )
    )
    admin.add_view(
        AbsenceView(
            AbsenceJustification,
            name="Absences justifiées",
            category=category,
            endpoint="billing_absences",
            url="/admin/absences-justifiees",
        )
    )
