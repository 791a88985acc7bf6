"""The parents' billing pages ("Mes factures", payments, tax certificate), the payment
simulator of the dummy provider, and the provider's server notification endpoint.

Views are thin: they read through workflows.billing / workflows.payments and change
states only through them. A parent never sees another household's invoice or payment
(404). Only the server-side notification settles a payment; the browser's return page
only shows the payment's state.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from jobs.payments import enqueue_notification
from models import Town
from models.billing import (
    PAYMENT_METHODS,
    CreditNote,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentInvoice,
)
from web import inputs
from web.extensions import csrf
from web.urls import external_url
from workflows import billing, documents, payments, pricing, words
from workflows.calendar import PARIS, from_utc_naive
from workflows.engine import WorkflowError
from workflows.tax_certificates import tax_certificate

from ..auth import parent_required

bp = Blueprint("billing", __name__)
log = logging.getLogger(__name__)

FILTERS = {"a_payer": "to_pay", "payees": "paid", "toutes": "all"}
PERIODS = {"semaine": "week", "mois": "month", "tout": "all"}


def _household():
    return current_user.household


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.app_template_filter("euros")
def _euros(cents: int) -> str:
    return pricing.format_euros(cents or 0)


@bp.app_template_filter("paris")
def _paris(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return from_utc_naive(moment).astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


@bp.app_template_global("invoice_state_fr")
def _invoice_state_fr(state: str) -> str:
    return words.title("invoice", state)


@bp.app_template_global("payment_state_fr")
def _payment_state_fr(state: str) -> str:
    return words.title("payment", state)


# -- invoices ----------------------------------------------------------------------------------
@bp.route("/factures")
@parent_required
def invoices():
    key = request.args.get("etat", "a_payer")
    if key not in FILTERS:
        key = "a_payer"
    household = _household()
    rows = billing.household_invoices(household.id, FILTERS[key])
    due = sum(i.balance_cents for i in rows if i.is_open)
    return render_template(
        "billing/invoices.html", invoices=rows, current=key, due=due, household=household
    )


@bp.route("/factures/<int:invoice_id>")
@parent_required
def invoice(invoice_id: int):
    inv = billing.invoice_for_parent(current_user.actor, invoice_id) or abort(404)
    lines = list(
        InvoiceLine.select().where(InvoiceLine.invoice == inv.id).order_by(InvoiceLine.position)
    )
    notes = list(CreditNote.select().where(CreditNote.invoice == inv.id))
    town = Town.get_by_id(inv.town_id)
    paid_by = list(
        Payment.select(Payment, PaymentInvoice.amount_cents.alias("part"))
        .join(PaymentInvoice)
        .where(PaymentInvoice.invoice == inv.id)
        .order_by(Payment.created_at)
        .objects()
    )
    return render_template(
        "billing/invoice.html", invoice=inv, lines=lines, notes=notes, town=town, payments=paid_by
    )


@bp.route("/factures/<int:invoice_id>.pdf")
@parent_required
def invoice_pdf(invoice_id: int):
    inv = billing.invoice_for_parent(current_user.actor, invoice_id) or abort(404)
    data = documents.stored_invoice_pdf(inv, current_app.instance_path)
    return _pdf(data, f"facture-{inv.number}.pdf")


@bp.route("/avoirs/<int:note_id>.pdf")
@parent_required
def credit_note_pdf(note_id: int):
    note = CreditNote.get_or_none(CreditNote.id == note_id) or abort(404)
    if billing.invoice_for_parent(current_user.actor, note.invoice_id) is None:
        abort(404)
    return _pdf(documents.credit_note_pdf(note), f"avoir-{note.number}.pdf")


# -- paying online -----------------------------------------------------------------------------
def _chosen_invoices() -> list[Invoice]:
    try:
        ids = sorted(set(inputs.ids(request.form.getlist("invoice"))))
    except ValueError:
        abort(400)
    chosen = [billing.invoice_for_parent(current_user.actor, i) for i in ids]
    if any(i is None for i in chosen):
        abort(404)
    return chosen


@bp.route("/factures/payer", methods=["POST"])
@parent_required
def pay_recap():
    chosen = _chosen_invoices()
    if not chosen:
        flash(billing.message_fr("no_invoice"), "error")
        return redirect(url_for(".invoices"))
    blocked = [i for i in chosen if not i.is_open or i.pending_payment_id]
    if blocked:
        code = "payment_pending" if any(i.pending_payment_id for i in blocked) else "not_payable"
        flash(f"{blocked[0].number} : {billing.message_fr(code)}", "error")
        return redirect(url_for(".invoices"))
    return render_template(
        "billing/pay_recap.html", invoices=chosen, total=sum(i.balance_cents for i in chosen)
    )


@bp.route("/factures/payer/confirmer", methods=["POST"])
@parent_required
def pay_confirm():
    chosen = _chosen_invoices()
    household = _household()
    town = Town.get_by_id(household.town_id)
    try:
        payment, url = payments.start_online(
            current_user.actor,
            household.id,
            [i.id for i in chosen],
            return_url=external_url(".payment_return"),
            notify_url=external_url(".notification", town_slug=town.slug),
            simulator_url=external_url(".simulator"),
            email=current_user.account.email,
            config=current_app.config,
        )
    except WorkflowError as exc:
        flash(billing.message_fr(exc.code), "error")
        return redirect(url_for(".invoices"))
    except Exception:  # noqa: BLE001 - the provider is down; the payment was abandoned
        flash("Le service de paiement en ligne est indisponible. Réessayez plus tard.", "error")
        return redirect(url_for(".invoices"))
    return redirect(url)


@bp.route("/paiement/retour")
@parent_required
def payment_return():
    """Where the provider sends the browser back. It only shows the state: the server-side
    notification is what settles the payment."""
    txid = request.args.get("transaction_id", "")
    payment = Payment.get_or_none(Payment.transaction_id == txid) if txid else None
    if payment is None or payment.household_id not in current_user.actor.household_ids:
        abort(404)
    return render_template("billing/payment_return.html", payment=payment)


# -- the dummy provider's simulator ------------------------------------------------------------
@bp.route("/paiement/simulateur", methods=["GET", "POST"])
@parent_required
def simulator():
    """The 'bank' page of the dummy backend: choose accepted, refused or abandoned. The
    bank then notifies us server to server (through the worker), and sends the browser
    back to our return page. It exists only outside production (PAYMENT_SIMULATOR), and
    only for the household that owns the transaction: its first answer is final, so a
    stranger must not be able to give it."""
    if not current_app.config["PAYMENT_SIMULATOR"]:
        abort(404)
    txid = request.values.get("transaction_id", "")
    amount = request.values.get("amount", "")
    payment = Payment.get_or_none(Payment.transaction_id == txid) if txid else None
    if (
        payment is None
        or payment.backend != payments.DUMMY
        or payment.household_id not in current_user.actor.household_ids
    ):
        abort(404)
    if request.method == "POST":
        outcome = request.form.get("outcome", "")
        if outcome not in payments.SIMULATOR_OUTCOMES:
            abort(400)
        payments.simulate(txid, amount, outcome)
        _notify(payment.town_id, txid)
        return redirect(url_for(".payment_return", transaction_id=txid))
    return render_template(
        "billing/simulator.html",
        txid=txid,
        amount=amount,
        orderid=request.args.get("orderid", ""),
        subject=request.args.get("subject", ""),
    )


def _notify(town_id: int, txid: str) -> None:
    query = urlencode({"transaction_id": txid})
    try:
        enqueue_notification(current_app.config, town_id, query)
    except Exception:  # noqa: BLE001 - no Redis: the bank calls us inline instead
        log.warning(
            "could not enqueue the simulator's notification; processing inline", exc_info=True
        )
        payments.handle_notification(town_id, query, current_app.config)


@bp.route("/paiement/notification/<town_slug>", methods=["GET", "POST"])
@csrf.exempt
def notification(town_slug: str):
    """The provider's server-to-server notification. Never trusted as such: the handler
    asks the provider for the transaction's result."""
    town = Town.get_or_none(Town.slug == town_slug)
    query = request.get_data(as_text=True) if request.method == "POST" else ""
    if request.method == "POST" and request.form:
        query = urlencode(list(request.form.items(multi=True)))
    query = query or request.query_string.decode()
    outcome = payments.handle_notification(town.id if town else None, query, current_app.config)
    return Response(outcome.split(":")[0], mimetype="text/plain")


# -- history and certificate -------------------------------------------------------------------
@bp.route("/paiements")
@parent_required
def payment_history():
    key = request.args.get("periode", "mois")
    if key not in PERIODS:
        key = "mois"
    household = _household()
    rows = payments.household_payments(household.id, PERIODS[key])
    allocations = payments.allocations_of([p.id for p in rows])
    return render_template(
        "billing/payments.html",
        payments=rows,
        current=key,
        allocations=allocations,
        icons=words.icons("payment"),
        methods=PAYMENT_METHODS,
    )


@bp.route("/attestation-fiscale")
@parent_required
def tax_certificates():
    this_year = dt.datetime.now(PARIS).year
    years = list(range(this_year - 1, this_year - 4, -1))
    return render_template("billing/tax_certificate.html", years=years)


@bp.route("/attestation-fiscale/<int:year>.pdf")
@parent_required
def tax_certificate_pdf(year: int):
    this_year = dt.datetime.now(PARIS).year
    if not 2000 <= year < this_year:
        abort(404)
    household = _household()
    lines = tax_certificate(household.id, year)
    data = documents.tax_certificate_pdf(
        Town.get_by_id(household.town_id),
        household.name,
        household.address,
        year,
        lines,
        dt.datetime.now(PARIS).date(),
    )
    return _pdf(data, f"attestation-fiscale-{year}.pdf")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
