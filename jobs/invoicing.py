"""The month's invoicing as rq jobs: draft (with progress stored on the InvoicingRun row
and in the job's meta), issue (numbers, e-mails), and the PDFs rendered in chunks so that
several workers share them. Every job takes ids and opens its own database."""

from __future__ import annotations

import logging

from rq import get_current_job

from models import Account, transaction, utcnow
from models.billing import Invoice, InvoicingRun
from workflows import documents, french, invoicing, outbox
from workflows.accounts import actor_for

from .context import job_database
from .queue import enqueue

log = logging.getLogger(__name__)
PDF_CHUNK = 200


def _progress(run_id: int):
    job = get_current_job()

    def report(done: int, total: int, created: int) -> None:
        InvoicingRun.update(done=done, total=total, created=created).where(
            InvoicingRun.id == run_id
        ).execute()
        if job is not None:
            job.meta.update(done=done, total=total, created=created)
            job.save_meta()

    return report


def run_invoicing(run_id: int) -> int:
    """Draft the run's month. Running it twice (or two runs of the same month) creates
    nothing more: each household has at most one invoice per town and month."""
    with job_database():
        run = InvoicingRun.get_by_id(run_id)
        invoicing.advance_run(run_id, "start", started_at=utcnow(), error="")
        try:
            result = invoicing.draft_month(
                run.town_id, run.month, run_id=run_id, progress=_progress(run_id)
            )
        except Exception as exc:
            invoicing.advance_run(run_id, "fail", error=repr(exc)[:2000], finished_at=utcnow())
            raise
        invoicing.advance_run(
            run_id,
            "drafted",
            finished_at=utcnow(),
            created=result.created,
            warnings="\n".join(result.warnings)[:20000],
        )
    return result.created


def issue_run(run_id: int, account_id: int) -> int:
    """Issue the drafts of the run's month, e-mail the households, queue the PDFs."""
    with job_database() as cfg:
        run = InvoicingRun.get_by_id(run_id)
        actor = actor_for(Account.get_by_id(account_id))
        invoicing.advance_run(run_id, "issue")  # unless the agent's click did already
        try:
            with transaction():  # the invoices and their e-mails, or neither
                ids = invoicing.issue_month(actor, run.town_id, run.month)
                notify_issued(ids, cfg.PUBLIC_URL)
        except Exception as exc:
            invoicing.advance_run(run_id, "fail", error=repr(exc)[:2000])
            raise
        invoicing.advance_run(
            run_id, "issued", issued=InvoicingRun.issued + len(ids), finished_at=utcnow()
        )
        for i in range(0, len(ids), PDF_CHUNK):  # the PDFs, shared by the workers
            enqueue(cfg, render_invoice_pdfs, ids[i : i + PDF_CHUNK], job_timeout=3600)
    return len(ids)


def notify_issued(invoice_ids: list[int], public_url: str = "") -> int:
    """Write the e-mail of each issued invoice to the outbox (sent by the mail job), with
    the link to the invoice on the portal (PUBLIC_URL, never a request's Host)."""
    to = invoicing.recipients(invoice_ids)
    mails = []
    for i in range(0, len(invoice_ids), 1000):
        for inv in Invoice.select().where(Invoice.id.in_(invoice_ids[i : i + 1000])):
            if not to.get(inv.id):
                continue
            values = {
                "number": inv.number,
                "town_name": inv.town_name,
                "month": documents.month_fr(inv.month),
                "of_month": french.of_month(inv.month),
                "total": french.euros(inv.total_cents),
                "due_date": french.day(inv.due_date, weekday=True, year=True)
                if inv.due_date
                else "",
                "link": f"{public_url.rstrip('/')}/factures/{inv.id}",
            }
            subject = f"Votre facture {inv.number} – {inv.town_name}"
            mails.append(outbox.Mail(tuple(to[inv.id]), subject, "invoice_issued", values))
    return outbox.write_many(mails)


def render_invoice_pdfs(invoice_ids: list[int]) -> int:
    with job_database() as cfg:
        count = 0
        for inv in Invoice.select().where(Invoice.id.in_(invoice_ids), Invoice.state != "draft"):
            documents.stored_invoice_pdf(inv, cfg.INSTANCE_PATH)
            count += 1
    return count


def enqueue_run(config, run_id: int):
    return enqueue(
        config,
        run_invoicing,
        run_id,
        job_timeout=3600,
        result_ttl=3600,
        job_id=f"invoicing-run-{run_id}",
    )


def enqueue_issue(config, run_id: int, account_id: int):
    return enqueue(
        config,
        issue_run,
        run_id,
        account_id,
        job_timeout=3600,
        result_ttl=3600,
        job_id=f"invoicing-issue-{run_id}",
    )
