"""Online payment through eopayment's dummy backend and our simulator: only the server-side
notification settles; replays, forgeries, wrong amounts and double payments change nothing."""

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from config import get_config
from models import Town, WorkflowHistory
from models.billing import Invoice, Payment, PaymentNotification
from workflows import billing, payments
from workflows.engine import GuardFailed

from .. import factories as f
from ..conftest import run_worker
from ..forms import csrf
from .helpers import issued_invoice, staff_actor


def _start(h, invoices):
    return payments.start_online(
        f.parent_actor(h),
        h.id,
        [i.id for i in invoices],
        return_url="http://x/retour",
        notify_url="http://x/notif",
        simulator_url="http://x/paiement/simulateur",
        config=get_config(),
    )


def _notify(town, txid, **extra):
    query = urlencode({"transaction_id": txid, **extra})
    return payments.handle_notification(town.id, query, get_config())


def test_parent_pays_two_invoices_in_one_payment_through_the_simulator(auth, client):
    town, h, inv1 = issued_invoice(days=4)
    h2_month_invoice = Invoice.create(  # an older issued invoice of the same household
        town=town,
        household=h,
        month=dt.date(2020, 1, 1),
        state="issued",
        number="F2001-9",
        total_cents=999,
        household_name=h.name,
    )
    auth.parent(h, client=client)
    token = csrf(client, "/factures")
    recap = client.post(
        "/factures/payer", data={"csrf_token": token, "invoice": [inv1.id, h2_month_invoice.id]}
    )
    page = recap.get_data(as_text=True)
    assert "15,99 €" in page and inv1.number in page
    resp = client.post(
        "/factures/payer/confirmer",
        data={"csrf_token": token, "invoice": [inv1.id, h2_month_invoice.id]},
    )
    assert resp.status_code == 302
    target = urlsplit(resp.headers["Location"])
    assert target.path == "/paiement/simulateur"
    query = parse_qs(target.query)
    assert query["amount"] == ["15.99"]
    payment = Payment.get()
    assert payment.state == "pending" and payment.amount_cents == 1599
    sim = client.get(f"{target.path}?{target.query}")
    assert "15.99 €" in sim.get_data(as_text=True)
    back = client.post(
        target.path,
        data={
            "csrf_token": token,
            "outcome": "accepted",
            "transaction_id": query["transaction_id"][0],
            "amount": "15.99",
        },
    )
    assert back.status_code == 302 and "/paiement/retour" in back.headers["Location"]
    # The browser is back before the bank's notification: it only shows the state.
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "en attente de validation" in page
    assert Payment.get().state == "pending" and Invoice.get_by_id(inv1.id).state == "issued"
    run_worker()
    assert Payment.get().state == "validated"
    for inv in (inv1, h2_month_invoice):
        inv = Invoice.get_by_id(inv.id)
        assert inv.state == "paid" and inv.balance_cents == 0 and inv.pending_payment_id is None
    assert "est validé" in client.get(back.headers["Location"]).get_data(as_text=True)
    history = client.get("/paiements?periode=semaine").get_data(as_text=True)
    assert "15,99 €" in history and "Validé" in history


def test_two_tabs_cannot_pay_the_same_invoice_twice(app):
    town, h, inv = issued_invoice()
    _start(h, [inv])
    with pytest.raises(GuardFailed) as exc:
        _start(h, [inv])
    assert exc.value.code == "payment_pending"
    assert Payment.select().count() == 1
    with pytest.raises(GuardFailed):  # nor can staff take cash for it meanwhile
        billing.record_offline_payment(staff_actor(town), h.id, "cash", 100)


def test_notification_replayed_applies_once(app):
    town, h, inv = issued_invoice()
    payment, url = _start(h, [inv])
    payments.simulate(payment.transaction_id, "6.00", "accepted")
    assert _notify(town, payment.transaction_id) == "validated"
    assert _notify(town, payment.transaction_id).startswith("ignored:replayed")
    inv = Invoice.get_by_id(inv.id)
    assert inv.paid_cents == 600 and inv.state == "paid"
    assert (
        WorkflowHistory.select()
        .where(WorkflowHistory.workflow == "invoice", WorkflowHistory.transition == "pay")
        .count()
        == 1
    )


def test_forged_notification_changes_nothing_and_is_logged(app, client, caplog):
    town, h, inv = issued_invoice()
    payment, _ = _start(h, [inv])
    # the caller claims success, but the bank never heard of this transaction
    resp = client.post(
        f"/paiement/notification/{town.slug}",
        data={"transaction_id": payment.transaction_id, "ok": "1", "signed": "1", "amount": "6.00"},
    )
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "ignored"
    assert Payment.get_by_id(payment.id).state == "pending"
    assert "ignored" in caplog.text
    # the bank says refused: a forged "ok" does not turn it into a success
    payments.simulate(payment.transaction_id, "6.00", "refused")
    client.post(
        f"/paiement/notification/{town.slug}",
        data={"transaction_id": payment.transaction_id, "ok": "1"},
    )
    assert Payment.get_by_id(payment.id).state == "refused"
    inv = Invoice.get_by_id(inv.id)
    assert inv.state == "issued" and inv.pending_payment_id is None  # free to pay again
    assert PaymentNotification.select().count() == 2


def test_wrong_amount_changes_nothing(app):
    town, h, inv = issued_invoice()
    payment, _ = _start(h, [inv])
    payments.simulate(payment.transaction_id, "0.01", "accepted")  # amount tampered with
    assert _notify(town, payment.transaction_id).startswith("ignored:wrong_amount")
    assert Payment.get_by_id(payment.id).state == "pending"
    assert Invoice.get_by_id(inv.id).paid_cents == 0


def test_notification_for_an_invoice_already_paid_changes_nothing(app):
    town, h, inv = issued_invoice()
    payment, _ = _start(h, [inv])
    Invoice.update(state="paid", paid_cents=600).where(Invoice.id == inv.id).execute()
    payments.simulate(payment.transaction_id, "6.00", "accepted")
    assert _notify(town, payment.transaction_id) == "ignored:already_paid"
    assert Payment.get_by_id(payment.id).state == "pending"
    assert Invoice.get_by_id(inv.id).paid_cents == 600


def test_notification_for_another_towns_endpoint_is_ignored(app):
    town, h, inv = issued_invoice()
    other = f.town()
    payment, _ = _start(h, [inv])
    payments.simulate(payment.transaction_id, "6.00", "accepted")
    assert _notify(other, payment.transaction_id) == "ignored:unknown_payment"


def test_abandoned_then_paid_again(app):
    town, h, inv = issued_invoice()
    first, _ = _start(h, [inv])
    payments.simulate(first.transaction_id, "6.00", "abandoned")
    assert _notify(town, first.transaction_id) == "abandoned"
    second, _ = _start(h, [inv])
    payments.simulate(second.transaction_id, "6.00", "accepted")
    assert _notify(town, second.transaction_id) == "validated"
    # a late "accepted" for the abandoned one changes nothing
    assert _notify(town, first.transaction_id).startswith("ignored:replayed")
    assert Invoice.get_by_id(inv.id).paid_cents == 600


def test_stale_payments_are_abandoned_by_the_system(app):
    town, h, inv = issued_invoice()
    payment, _ = _start(h, [inv])
    Payment.update(created_at=payment.created_at - dt.timedelta(hours=2)).execute()
    assert payments.abandon_stale(get_config(), dt.timedelta(minutes=30)) == 1
    assert Payment.get_by_id(payment.id).state == "abandoned"
    assert Invoice.get_by_id(inv.id).pending_payment_id is None


def test_simulator_refuses_unknown_transactions(auth, client):
    _, h, _ = issued_invoice()
    auth.parent(h, client=client)
    assert client.get("/paiement/simulateur?transaction_id=nope&amount=1").status_code == 404


def test_parent_cannot_pay_or_see_another_households_payment(auth, client):
    town, h, inv = issued_invoice(name="Martin")
    _, other, other_inv = issued_invoice(town, name="Durand")
    payment, _ = _start(other, [other_inv])
    auth.parent(h, client=client)
    token = csrf(client, "/factures")
    assert (
        client.post(
            "/factures/payer", data={"csrf_token": token, "invoice": [other_inv.id]}
        ).status_code
        == 404
    )
    assert (
        client.get(f"/paiement/retour?transaction_id={payment.transaction_id}").status_code == 404
    )
    assert "Durand" not in client.get("/paiements?periode=tout").get_data(as_text=True)


def test_each_town_may_have_its_own_provider(monkeypatch):
    monkeypatch.setenv("PAYMENT_BACKEND", "payfip_ws")
    monkeypatch.setenv("PAYMENT_OPTIONS", '{"numcli": "000001"}')
    monkeypatch.setenv("PAYMENT_BACKEND_VILLE_B", "systempayv2")
    monkeypatch.setenv("PAYMENT_OPTIONS_VILLE_C", '{"numcli": "000003"}')
    config = get_config("testing")
    settings = {
        slug: payments.provider_settings(Town(slug=slug), config)
        for slug in ("ville-a", "ville-b", "ville-c")
    }
    assert settings == {
        "ville-a": payments.ProviderSettings("payfip_ws", {"numcli": "000001"}),
        "ville-b": payments.ProviderSettings("systempayv2", {"numcli": "000001"}),
        "ville-c": payments.ProviderSettings("payfip_ws", {"numcli": "000003"}),
    }


def test_payment_options_that_are_not_json_stop_the_start(monkeypatch):
    monkeypatch.setenv("PAYMENT_OPTIONS_VILLE_A", "{numcli: 1}")
    with pytest.raises(RuntimeError, match="PAYMENT_OPTIONS_VILLE_A"):
        get_config("testing")


def test_only_the_owner_answers_the_simulator_and_production_has_none(auth, app, monkeypatch):
    town, h, inv = issued_invoice()
    payment, _ = _start(h, [inv])
    txid = payment.transaction_id
    address = f"/paiement/simulateur?transaction_id={txid}&amount=6.00"
    # nobody logged in: the login page, not the bank
    anonymous = app.test_client()
    assert anonymous.get(address).status_code == 302
    # another household of the same town cannot accept (or block) this payment
    stranger = f.household(town, name="Durand")
    other = auth.parent(stranger, client=app.test_client())
    token = csrf(other, "/factures")
    assert other.get(address).status_code == 404
    posted = other.post(
        "/paiement/simulateur",
        data={"csrf_token": token, "transaction_id": txid, "amount": "6.00", "outcome": "refused"},
    )
    assert posted.status_code == 404
    from models.billing import DummyBankTransaction

    assert DummyBankTransaction.select().count() == 0  # the owner's answer is still to come
    owner = auth.parent(h, client=app.test_client())
    assert owner.get(address).status_code == 200
    # in production the simulator does not exist
    monkeypatch.setenv("PUBLIC_URL", "https://famille.example.fr")
    from app import create_app

    prod = create_app("production")
    assert prod.config["PAYMENT_SIMULATOR"] is False
