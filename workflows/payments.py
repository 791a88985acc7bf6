"""Online payments through `eopayment`, and the payment history.

Only the provider's server-side notification settles a payment, and only after asking the
provider for the transaction's result: with PayFiP's web-service mode eopayment's
`response()` does that call; with the dummy backend (the embedded default and the tests)
we ask the books of our own simulator (`DummyBankTransaction`) and hand their answer to
eopayment's dummy `response()` parser. What the caller of the notification URL claims is
never trusted. Notifications that are replayed, forged, for a wrong amount or for an
invoice already paid change nothing and are logged.

Two tabs cannot pay the same invoice: starting a payment sets `Invoice.pending_payment_id`
with a conditional UPDATE (`WHERE pending_payment_id IS NULL`) whose row count must match.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

import eopayment

from models import Household, Town, transaction, utcnow
from models.billing import (
    DummyBankTransaction,
    Invoice,
    Payment,
    PaymentInvoice,
    PaymentNotification,
)

from . import pricing, town_settings
from .billing import OPEN_STATES, apply_payment, for_update
from .calendar import PARIS, to_utc_naive
from .definitions import PAYMENT
from .engine import SYSTEM, Actor, Conflict, Forbidden, GuardFailed, InvalidTransition, fire

log = logging.getLogger(__name__)
DUMMY = "dummy"


class Settings(Protocol):
    """An app's config or a job's (config.Config): settings read as `config["KEY"]`."""

    def __getitem__(self, key: str) -> Any: ...


SIMULATOR_OUTCOMES = ("accepted", "refused", "abandoned")


# -- provider settings -------------------------------------------------------------------------
@dataclass(frozen=True)
class ProviderSettings:
    backend: str
    options: dict


def slug_key(slug: str) -> str:
    """How a town's slug appears in the names of its settings: ville-a, VILLE_A."""
    return re.sub(r"[^A-Z0-9]", "_", slug.upper())


def provider_settings(town: Town, config: Settings) -> ProviderSettings:
    """The town's provider: the one set on its settings screen (town_settings), else its
    own in the configuration (config.payment_towns), else every town's (PAYMENT_BACKEND,
    PAYMENT_OPTIONS)."""
    screen = town_settings.payment_settings(town)
    if screen is not None:
        return ProviderSettings(*screen)
    own = config["PAYMENT_TOWNS"].get(slug_key(town.slug))
    if own is not None:
        return ProviderSettings(own["backend"], own["options"])
    return ProviderSettings(config["PAYMENT_BACKEND"], config["PAYMENT_OPTIONS"])


def provider(settings: ProviderSettings, **urls) -> eopayment.Payment:
    options = {
        "origin": "Portail Famille",
        **settings.options,
        **{k: v for k, v in urls.items() if v},
    }
    if settings.backend == DUMMY:
        options.setdefault("normal_return_url", "http://localhost/")
    return eopayment.Payment(settings.backend, options)


# -- starting a payment ----------------------------------------------------------------------
def _release(payment_id: int) -> None:
    Invoice.update(pending_payment_id=None).where(
        Invoice.pending_payment_id == payment_id
    ).execute()


def start_online(
    actor: Actor,
    household_id: int,
    invoice_ids: Iterable[int],
    *,
    return_url: str,
    notify_url: str,
    simulator_url: str = "",
    email: str = "",
    config: Settings,
) -> tuple[Payment, str]:
    """Start one online payment of the whole balance of the chosen invoices. Returns the
    payment (now 'pending') and the URL to send the parent to."""
    ids = sorted({int(i) for i in invoice_ids})
    if not ids:
        raise GuardFailed("no invoice", code="no_invoice")
    household = Household.get_by_id(household_id)
    if "parent" not in actor.roles_on(household_id, household.town_id):
        raise Forbidden("not this household", code="forbidden")
    settings = provider_settings(household.town, config)
    with transaction():
        invoices = list(
            for_update(
                Invoice.select().where(Invoice.id.in_(ids), Invoice.household == household_id)
            )
        )
        if len(invoices) != len(ids) or any(not i.is_open for i in invoices):
            raise GuardFailed("invoice not payable", code="not_payable")
        if any(i.pending_payment_id for i in invoices):
            raise GuardFailed("payment under way", code="payment_pending")
        amount = sum(i.balance_cents for i in invoices)
        payment = Payment.create(
            town=household.town_id,
            household=household_id,
            method="online",
            amount_cents=amount,
            backend=settings.backend,
            created_by=actor.account_id,
        )
        PaymentInvoice.insert_many(
            [
                {"payment": payment.id, "invoice": i.id, "amount_cents": i.balance_cents}
                for i in invoices
            ]
        ).execute()
        taken = (
            Invoice.update(pending_payment_id=payment.id)
            .where(
                Invoice.id.in_(ids),
                Invoice.pending_payment_id.is_null(),
                Invoice.state.in_(OPEN_STATES),
            )
            .execute()
        )
        if taken != len(ids):
            raise Conflict("another payment took one of these invoices")
    try:
        backend = provider(settings, normal_return_url=return_url, automatic_return_url=notify_url)
        txid, kind, data = backend.request(
            pricing.cents_to_euros(amount),
            email=email or None,
            orderid=f"P{payment.id}",
            subject=f"Factures {household.town.name}",
        )
        if kind != eopayment.URL:
            raise RuntimeError(f"backend {settings.backend} answered kind {kind}, not a URL")
    except Exception:
        with transaction():
            fire(
                PAYMENT,
                payment,
                "abandon",
                SYSTEM,
                owner=(household_id, household.town_id),
                comment="provider request failed",
            )
            _release(payment.id)
        log.exception("payment %s: provider request failed", payment.id)
        raise
    with transaction():
        fire(
            PAYMENT,
            payment,
            "send",
            actor,
            owner=(household_id, household.town_id),
            values={"transaction_id": txid},
        )
    if settings.backend == DUMMY and simulator_url:
        data = f"{simulator_url}?{urlsplit(data).query}"
    log.info(
        "payment %s started: household=%s invoices=%s cents=%s tx=%s",
        payment.id,
        household_id,
        ids,
        amount,
        txid,
    )
    return payment, data


# -- the dummy provider's books (our simulator) ----------------------------------------------
def simulate(transaction_id: str, amount: str, outcome: str) -> bool:
    """What the simulator page does when one chooses an outcome: the 'bank' writes it down
    once. Returns False when the transaction was already decided (nothing changes)."""
    if outcome not in SIMULATOR_OUTCOMES:
        raise ValueError(outcome)
    try:
        cents = pricing.euros_to_cents(amount)
    except (InvalidOperation, ValueError):
        cents = -1
    n = (
        DummyBankTransaction.insert(
            transaction_id=transaction_id, amount_cents=cents, outcome=outcome
        )
        .on_conflict_ignore()
        .execute()
    )
    created = (
        bool(n)
        and DummyBankTransaction.get(DummyBankTransaction.transaction_id == transaction_id).outcome
        == outcome
    )
    return created


def _ask_dummy_bank(backend: eopayment.Payment, transaction_id: str):
    """The dummy provider's answer about a transaction, parsed by eopayment; None when the
    bank never heard of it."""
    record = DummyBankTransaction.get_or_none(DummyBankTransaction.transaction_id == transaction_id)
    if record is None:
        return None
    fields = {
        "transaction_id": transaction_id,
        "signed": "1",
        "amount": str(pricing.cents_to_euros(record.amount_cents)),
    }
    if record.outcome == "accepted":
        fields["ok"] = "1"
    else:
        fields["reason"] = record.outcome
    return backend.response(urlencode(fields))


def _bank_amount(response) -> int | None:
    data = response.bank_data or {}
    for key, in_cents in (("amount", False), ("montant", True), ("vads_amount", True)):
        value = data.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if value in (None, ""):
            continue
        try:
            return int(value) if in_cents else pricing.euros_to_cents(str(value))
        except (InvalidOperation, ValueError):
            return None
    return None


def _status_text(response) -> str:
    status = response.bank_status
    if isinstance(status, list):
        status = status[0] if status else ""
    return str(status or "")


# -- the notification --------------------------------------------------------------------------
def handle_notification(town_id: int | None, query_string: str, config: Settings) -> str:
    """Process one provider notification. Returns the outcome ('validated', 'refused',
    'abandoned', 'waiting' or 'ignored:<why>'); every notification is recorded."""
    note = PaymentNotification.create(town=town_id, payload=query_string[:4000])
    outcome = _handle(town_id, query_string, config, note)
    PaymentNotification.update(outcome=outcome).where(PaymentNotification.id == note.id).execute()
    if outcome.startswith("ignored"):
        log.warning(
            "payment notification %s ignored (%s): %r", note.id, outcome, query_string[:300]
        )
    else:
        log.info("payment notification %s: %s", note.id, outcome)
    return outcome


def _handle(town_id, query_string, config, note) -> str:
    town = Town.get_or_none(Town.id == town_id) if town_id else None
    if town is None:
        return "ignored:unknown_town"
    settings = provider_settings(town, config)
    backend = provider(settings)
    if settings.backend == DUMMY:
        txid = (parse_qs(query_string).get("transaction_id") or [""])[0]
        response = _ask_dummy_bank(backend, txid) if txid else None
        if response is None:
            return "ignored:unknown_transaction"
    else:
        try:
            response = backend.response(query_string)
        except Exception:  # noqa: BLE001 - a forged or malformed message
            log.warning("provider response failed", exc_info=True)
            return "ignored:malformed"
    if not response.signed:
        return "ignored:unsigned"
    txid = response.transaction_id or response.order_id
    PaymentNotification.update(transaction_id=txid or "").where(
        PaymentNotification.id == note.id
    ).execute()
    payment = Payment.get_or_none(Payment.transaction_id == txid)
    if payment is None or payment.town_id != town.id:
        return "ignored:unknown_payment"
    result = response.result
    status = _status_text(response)
    if result in (eopayment.PAID, eopayment.ACCEPTED):
        amount = _bank_amount(response)
        if amount is None:
            log.warning("payment %s: the provider gave no amount to check", payment.id)
        elif amount != payment.amount_cents:
            return f"ignored:wrong_amount({amount}!={payment.amount_cents})"
        return _settle(payment, "validate", status)
    if result in (eopayment.WAITING, eopayment.RECEIVED):
        return "waiting"
    if result in (eopayment.CANCELLED, eopayment.EXPIRED) or status == "abandoned":
        return _settle(payment, "abandon", status)
    return _settle(payment, "refuse", status)


def _settle(payment: Payment, name: str, status: str) -> str:
    owner = (payment.household_id, payment.town_id)
    try:
        with transaction():
            fresh = for_update(Payment.select().where(Payment.id == payment.id)).get()
            fire(
                PAYMENT,
                fresh,
                name,
                SYSTEM,
                owner=owner,
                values={"settled_at": utcnow(), "bank_status": status[:250]},
            )
            if name == "validate":
                apply_payment(fresh, SYSTEM, "system")
            else:
                _release(fresh.id)
    except (InvalidTransition, Conflict):
        return f"ignored:replayed({Payment.get_by_id(payment.id).state})"
    except GuardFailed as exc:
        log.error(
            "payment %s was accepted by the bank but cannot apply (%s): refund needed",
            payment.id,
            exc.code,
        )
        return f"ignored:{exc.code}"
    return PAYMENT.transition(name).target


def abandon_stale(config: Settings, older_than: dt.timedelta = dt.timedelta(minutes=30)) -> int:
    """System: payments with no result after `older_than` are asked about once more, then
    abandoned, which frees their invoices."""
    limit = utcnow() - older_than
    stale = list(
        Payment.select().where(
            Payment.method == "online",
            Payment.state.in_(("created", "pending")),
            Payment.created_at < limit,
        )
    )
    count = 0
    for p in stale:
        if p.transaction_id and handle_notification(
            p.town_id, urlencode({"transaction_id": p.transaction_id}), config
        ) in ("validated", "refused", "abandoned"):
            continue
        try:
            with transaction():
                fire(
                    PAYMENT,
                    p,
                    "abandon",
                    SYSTEM,
                    owner=(p.household_id, p.town_id),
                    comment="no result in time",
                )
                _release(p.id)
            count += 1
        except (InvalidTransition, Conflict):
            pass
    return count


# -- reading -----------------------------------------------------------------------------------
def payment_for_parent(actor: Actor, payment_id: int) -> Payment | None:
    p = Payment.get_or_none(Payment.id == payment_id)
    if p is None or p.household_id not in actor.household_ids:
        return None
    return p


def period_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """'week': Monday to Sunday of `today`'s week; 'month': its calendar month."""
    if period == "week":
        start = today - dt.timedelta(days=today.weekday())
        return start, start + dt.timedelta(days=6)
    if period == "month":
        return pricing.month_bounds(today)
    return None


def household_payments(household_id: int, period: str = "all", today: dt.date | None = None):
    today = today or dt.datetime.now(PARIS).date()
    q = Payment.select().where(Payment.household == household_id)
    bounds = period_bounds(period, today)
    if bounds:
        start = to_utc_naive(dt.datetime.combine(bounds[0], dt.time(0), tzinfo=PARIS))
        end = to_utc_naive(
            dt.datetime.combine(bounds[1] + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS)
        )
        q = q.where(Payment.created_at >= start, Payment.created_at < end)
    return list(q.order_by(Payment.created_at.desc(), Payment.id.desc()))


def allocations_of(payment_ids: Iterable[int]) -> dict[int, list[tuple[str, int]]]:
    out: dict[int, list[tuple[str, int]]] = {}
    q = (
        PaymentInvoice.select(PaymentInvoice.payment, Invoice.number, PaymentInvoice.amount_cents)
        .join(Invoice)
        .where(PaymentInvoice.payment.in_(list(payment_ids)))
        .tuples()
    )
    for pid, number, cents in q:
        out.setdefault(pid, []).append((number or "", cents))
    return out


__all__ = ["abandon_stale", "handle_notification", "simulate", "start_online"]
