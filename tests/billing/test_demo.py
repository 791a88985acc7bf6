"""The demo shows the money side to a newcomer: every unit priced by quotient familial, the
last two months booked through the operations and invoiced, one invoice paid online, one in
part by cheque, one to pay, a justified absence, online enrolment open, and a request
waiting for the approver."""

from models import Household, RequestLine, Unit
from models.accounts import EnrolmentOffer
from models.billing import AbsenceJustification, Invoice, Payment, Price
from workflows.demo import PARENT, create_demo

from ..forms import login


def test_the_demo_has_prices_invoices_payments_and_a_pending_request(app):
    create_demo(households=6, config=app.config)
    units = Unit.select().count()
    assert {p.unit_id for p in Price.select()} == {u.id for u in Unit.select()} and units
    martin = Household.get(Household.name == "Martin")
    states = {i.state for i in Invoice.select()}
    assert {"paid", "partly_paid", "issued"} <= states
    paid = Invoice.get(Invoice.household == martin, Invoice.state == "paid")
    online = Payment.get(Payment.method == "online")
    assert online.state == "validated" and online.amount_cents == paid.total_cents > 0
    cheque = Payment.get(Payment.method == "cheque")
    partly = Invoice.get(Invoice.state == "partly_paid")
    assert 0 < cheque.amount_cents == partly.paid_cents < partly.total_cents
    assert Invoice.select().where(Invoice.household == martin, Invoice.state == "issued").exists()
    assert AbsenceJustification.select().count() == 1
    assert EnrolmentOffer.select().where(EnrolmentOffer.open_online == True).exists()  # noqa: E712
    [pending] = RequestLine.select().where(RequestLine.state == "pending")
    assert pending.unit.approval_mode == "staff"  # the approver's worklist
    # the parent sees it all on the portal
    client = app.test_client()
    assert login(client, PARENT[0], PARENT[1]).status_code == 302
    page = client.get("/factures?etat=toutes").get_data(as_text=True)
    assert paid.number in page
