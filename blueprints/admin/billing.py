"""The billing office's model screens (régie): prices, justified absences, invoices,
payments and credit notes, for staff with the finance (or admin) role, in their own town.
Invoices, payments and credit notes are read-only here: only workflows.billing changes
them. The month's invoicing and the money screens are invoicing.py."""

from __future__ import annotations

from flask_admin.model import typefmt
from flask_login import current_user
from wtforms.validators import InputRequired

from models import Child, Household, Service, Unit
from models.billing import (
    PAYMENT_METHODS,
    AbsenceJustification,
    CreditNote,
    Invoice,
    Payment,
    Price,
)
from workflows import french, pricing, words

from .base import ReadOnlyModelView, TownModelView
from .exports import ExportedList
from .fields import EurosField
from .invoicing import BillingOfficeView
from .security import town_id


class FinanceScreen:
    """Mixin for the billing office's model screens (who may use them: workflows/
    permissions.py). They show datetimes and booleans as Flask-Admin does, and no page-size menu."""

    column_type_formatters = dict(typefmt.BASE_FORMATTERS)
    column_type_formatters_detail = dict(typefmt.DETAIL_FORMATTERS)
    can_set_page_size = False


def _euros(view, context, model, name):
    return pricing.format_euros(getattr(model, name) or 0)


def _date(view, context, model, name):
    value = getattr(model, name)
    return french.short_day(value) if value else ""


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
        "price_euros": EurosField(
            "Prix (€)",
            validators=[InputRequired("Indiquez le prix.")],
            invalid="Prix invalide : indiquez un montant en euros, par exemple 2,70.",
            description="En euros, avec une virgule : 2,70. Le prix d'une journée pour "
            "cette tranche de quotient familial.",
        )
    }
    form_args = {"qf_max": {"label": "QF jusqu'à (vide : sans limite)"}}
    can_delete = True

    def _scope(self, form):
        form.unit.query = _town_units(town_id())
        return form

    def form_checks(self, form, own_id):
        first, last = form.valid_from.data, form.valid_to.data
        if first and last and last < first:
            return [("valid_to", "La fin de validité précède son début.")]
        return []

    def create_form(self, obj=None):
        return self._scope(super().create_form(obj))

    def edit_form(self, obj=None):
        form = self._scope(super().edit_form(obj))
        if obj is not None and form.price_euros.data is None and not form.price_euros.raw_data:
            form.price_euros.data = obj.amount_cents
        return form

    def on_model_change(self, form, model, is_created):
        unit = _town_units(town_id()).where(Unit.id == model.unit_id).first()
        if unit is None:
            raise ValueError("Prestation inconnue.")
        model.amount_cents = form.price_euros.data  # cents, checked by EurosField
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


class InvoiceView(ExportedList, FinanceScreen, ReadOnlyModelView):
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


class PaymentView(ExportedList, FinanceScreen, ReadOnlyModelView):
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


def register(admin, app) -> None:
    """Add the billing office's screens to the app's Flask-Admin."""
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
