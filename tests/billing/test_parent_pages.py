"""Mes factures: list with dots and filters, detail, PDF, and nobody else's invoices."""

from models.billing import Invoice
from workflows import billing

from .helpers import issued_invoice, pdftotext, staff_actor


def test_list_filters_and_dots(auth, client):
    town, h, inv = issued_invoice()
    auth.parent(h, client=client)
    page = client.get("/factures").get_data(as_text=True)
    assert inv.number in page and "dot-red" in page and "Payer en ligne" in page
    assert inv.number not in client.get("/factures?etat=payees").get_data(as_text=True)
    billing.record_offline_payment(
        staff_actor(town, "finance,approver"), h.id, "cash", inv.total_cents
    )
    assert inv.number not in client.get("/factures").get_data(as_text=True)
    paid = client.get("/factures?etat=payees").get_data(as_text=True)
    assert inv.number in paid and "dot-green" in paid


def test_detail_shows_lines_totals_and_balance(auth, client):
    town, h, inv = issued_invoice(days=5)
    auth.parent(h, client=client)
    page = client.get(f"/factures/{inv.id}").get_data(as_text=True)
    for text in (
        "MARTIN Léa",
        "Repas",
        "Restauration scolaire",
        "École Jean Moulin",
        "1,50 €",
        "7,50 €",
        "Solde dû",
        town.name,
    ):
        assert text in page, text


def test_pdf_reads_back_with_accents_euro_and_town(auth, client):
    town, h, inv = issued_invoice(days=3)
    auth.parent(h, client=client)
    resp = client.get(f"/factures/{inv.id}.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = pdftotext(resp.data)
    for snippet in (
        f"Facture n° {inv.number}",
        "MARTIN Léa",
        "École Jean Moulin",
        "4,50 €",
        town.name,
        "Place de la Mairie, 64140 Démo",
        "Consommations de",
    ):
        assert snippet in text, snippet


def test_another_household_gets_404(auth, client):
    town, h, inv = issued_invoice(name="Martin")
    _, other, other_inv = issued_invoice(town, name="Durand")
    auth.parent(h, client=client)
    assert client.get(f"/factures/{other_inv.id}").status_code == 404
    assert client.get(f"/factures/{other_inv.id}.pdf").status_code == 404
    assert other_inv.number not in client.get("/factures?etat=toutes").get_data(as_text=True)


def test_drafts_are_not_shown(auth, client):
    town, h, inv = issued_invoice()
    Invoice.update(state="draft").where(Invoice.id == inv.id).execute()
    auth.parent(h, client=client)
    assert client.get(f"/factures/{inv.id}").status_code == 404


def test_staff_and_strangers_are_turned_away(app, client):
    town, h, inv = issued_invoice()
    assert client.get("/factures").status_code == 302  # to the login page
