"""With a real rq worker: invoicing twice creates nothing more; issuing mails and renders
PDFs; a payment notification processed twice applies once."""

from pathlib import Path
from urllib.parse import urlencode

from models.billing import Invoice, InvoiceLine, InvoicingRun, Payment
from workflows import invoicing, payments
from workflows.documents import stored_pdf_path

from .. import factories as f
from ..conftest import run_worker
from .helpers import MONTH, book, family, issued_invoice, pdftotext, priced_town, weekdays


def test_invoicing_twice_with_a_worker_creates_nothing_more(app):
    from jobs.invoicing import enqueue_issue, enqueue_run
    from workflows.accounts import actor_for

    town = priced_town()
    for name in ("Aubert", "Blanc", "Carré"):
        h = family(town, name)
        book(h.children[0], f.unit(town), weekdays(n=3))
    agent = f.staff(town, "finance")
    runs = [invoicing.create_run(actor_for(agent), town.id, MONTH) for _ in range(2)]
    for run in runs:
        enqueue_run(app.config, run.id)
    run_worker()
    assert Invoice.select().count() == 3 and InvoiceLine.select().count() == 3
    first, second = (InvoicingRun.get_by_id(r.id) for r in runs)
    assert first.state == second.state == "drafted"
    assert sorted([first.created, second.created]) == [0, 3]
    assert first.done == first.total == 3
    enqueue_issue(app.config, runs[0].id, agent.id)
    run_worker()  # issues, mails, then renders the PDFs queued by the issue job
    numbers = sorted(i.number for i in Invoice.select())
    assert numbers == [f"F{n[1:5]}-00000{k}" for k, n in enumerate(numbers, 1)]
    assert {i.state for i in Invoice.select()} == {"issued"}
    outbox = list((Path(app.config["INSTANCE_PATH"]) / "outbox").glob("*.eml"))
    assert len(outbox) >= 3
    assert any(numbers[0] in p.read_text() for p in outbox)
    inv = Invoice.select().order_by(Invoice.number).first()
    pdf = stored_pdf_path(inv, app.config["INSTANCE_PATH"])
    assert pdf.exists() and inv.number in pdftotext(pdf.read_bytes())


def test_a_notification_processed_twice_by_workers_applies_once(app):
    from jobs.payments import enqueue_notification

    town, h, inv = issued_invoice()
    payment, _ = payments.start_online(
        f.parent_actor(h),
        h.id,
        [inv.id],
        return_url="http://x/r",
        notify_url="http://x/n",
        config=app.config,
    )
    payments.simulate(payment.transaction_id, "6.00", "accepted")
    query = urlencode({"transaction_id": payment.transaction_id})
    enqueue_notification(app.config, town.id, query)
    enqueue_notification(app.config, town.id, query)
    run_worker()
    assert Payment.get_by_id(payment.id).state == "validated"
    inv = Invoice.get_by_id(inv.id)
    assert inv.paid_cents == inv.total_cents == 600 and inv.state == "paid"
