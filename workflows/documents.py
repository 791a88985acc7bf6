"""PDF documents (invoice, credit note, tax certificate) from plain values, with Jinja
templates in templates/pdf/ and xhtml2pdf. The renderer fetches nothing: every link or
image reference is refused."""

from __future__ import annotations

import datetime as dt
import io
import logging
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from models import Town
from models.billing import CreditNote, Invoice, InvoiceLine

from . import french, pricing
from .tax_certificates import CertificateLine

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pdf"


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


MONTHS_FR = french.MONTHS


month_fr = french.month  # 'octobre 2026'


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"])
    )
    env.filters["euros"] = pricing.format_euros
    env.filters["date_fr"] = _date
    env.filters["month_fr"] = month_fr
    return env


def _refuse_links(uri: str, rel: str) -> str:
    log.warning("pdf renderer refused to fetch %r", uri)
    return ""


def html_to_pdf(html: str) -> bytes:
    # Imported here, not at the top: xhtml2pdf and reportlab take a quarter of a second to
    # import, which every web process, worker and CLI command would pay for a PDF or none.
    from xhtml2pdf import pisa

    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=_refuse_links)
    if result.err:
        raise RuntimeError(f"PDF rendering failed ({result.err} errors)")
    return out.getvalue()


def render(template: str, **values) -> bytes:
    return html_to_pdf(_env().get_template(template).render(**values))


def invoice_values(invoice: Invoice) -> dict:
    lines = list(
        InvoiceLine.select().where(InvoiceLine.invoice == invoice.id).order_by(InvoiceLine.position)
    )
    return {
        "number": invoice.number or "BROUILLON",
        "month": invoice.month,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "household_name": invoice.household_name,
        "household_address": invoice.household_address,
        "town_name": invoice.town_name,
        "town_address": invoice.town_address,
        "town_contact": invoice.town_contact,
        "lines": [
            {
                "child": li.child_name,
                "enrolment": li.enrolment,
                "label": li.label,
                "service": li.service,
                "quantity": li.quantity,
                "unit_price": li.unit_price_cents,
                "amount": li.amount_cents,
            }
            for li in lines
        ],
        "total": invoice.total_cents,
        "paid": invoice.paid_cents,
        "credited": invoice.credited_cents,
        "balance": invoice.balance_cents,
    }


def invoice_pdf(invoice: Invoice) -> bytes:
    return render("invoice.html", **invoice_values(invoice))


def stored_pdf_path(invoice: Invoice, folder: str | Path) -> Path:
    """Where the issued invoice's PDF is kept: named by town, number, id and moment of issue,
    so a file can only ever belong to that one issued invoice."""
    stamp = invoice.issued_at.strftime("%Y%m%d%H%M%S%f") if invoice.issued_at else "x"
    return (
        Path(folder)
        / "invoices"
        / str(invoice.town_id)
        / f"{invoice.number}-{invoice.id}-{stamp}.pdf"
    )


def stored_invoice_pdf(invoice: Invoice, folder: str | Path) -> bytes:
    """The PDF of an issued invoice, rendered once and kept (an issued invoice never
    changes; the amounts paid are not printed on the stored copy)."""
    if invoice.state == "draft" or not invoice.number:
        return invoice_pdf(invoice)
    path = stored_pdf_path(invoice, folder)
    if path.exists():
        return path.read_bytes()
    data = render("invoice.html", **{**invoice_values(invoice), "stored": True})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data


def credit_note_pdf(note: CreditNote) -> bytes:
    inv = note.invoice
    return render(
        "credit_note.html",
        number=note.number,
        date=note.created_at.date(),
        invoice_number=inv.number,
        amount=note.amount_cents,
        reason=note.reason,
        household_name=inv.household_name,
        household_address=inv.household_address,
        town_name=inv.town_name,
        town_address=inv.town_address,
        town_contact=inv.town_contact,
    )


def tax_certificate_pdf(
    town: Town,
    household_name: str,
    household_address: str,
    year: int,
    lines: list[CertificateLine],
    today: dt.date,
) -> bytes:
    return render(
        "tax_certificate.html",
        town_name=town.name,
        town_address=town.address,
        town_contact=" – ".join(x for x in (town.contact_email, town.contact_phone) if x),
        household_name=household_name,
        household_address=household_address,
        year=year,
        today=today,
        lines=[
            {"child": li.child_name, "birth_date": li.birth_date, "amount": li.amount_cents}
            for li in lines
        ],
        total=sum(li.amount_cents for li in lines),
    )
