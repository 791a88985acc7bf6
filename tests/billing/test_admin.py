"""The billing office's admin screens: finance role of the town only; run the month's
invoicing, preview, issue; prices; offline payments; credit notes."""

from models.billing import CreditNote, Invoice, InvoicingRun, Payment, Price

from .. import factories as f
from ..conftest import run_worker
from ..forms import csrf
from .helpers import MONTH, book, family, issued_invoice, priced_town, weekdays


def test_only_finance_or_admin_staff_enter(client, auth):
    town = priced_town()
    assert client.get("/admin/facturation/").status_code == 302  # to the login page
    approver = auth.approver(town)
    assert approver.get("/admin/facturation/").status_code == 403
    assert approver.get("/admin/tarifs/").status_code == 403
    assert auth.admin(town).get("/admin/facturation/").status_code == 200
    parent = auth.parent(family(town))  # a parent is not staff
    assert parent.get("/admin/facturation/").status_code in (302, 403)


def test_run_preview_issue_through_the_screens(auth):
    town = priced_town()
    for name in ("Aubert", "Blanc"):
        h = family(town, name)
        book(h.children[0], f.unit(town), weekdays(n=2))
    aclient = auth.finance(town)
    token = csrf(aclient, "/admin/facturation/")
    resp = aclient.post(
        "/admin/facturation/", data={"csrf_token": token, "month": MONTH.isoformat()}
    )
    assert resp.status_code == 302
    run = InvoicingRun.get()
    assert aclient.get(f"/admin/facturation/progression/{run.id}").json["state"] == "queued"
    run_worker()
    assert aclient.get(f"/admin/facturation/progression/{run.id}").json == {
        "state": "drafted",
        "done": 2,
        "total": 2,
        "created": 2,
        "issued": 0,
    }
    page = aclient.get(f"/admin/facturation/apercu/{run.id}").get_data(as_text=True)
    assert "Aubert" in page and "Brouillon : 2 facture(s), 6,00" in page
    aclient.post(f"/admin/facturation/emettre/{run.id}", data={"csrf_token": token})
    run_worker()
    assert {i.state for i in Invoice.select()} == {"issued"}
    assert "Émises" in aclient.get("/admin/facturation/").get_data(as_text=True)
    listing = aclient.get("/admin/factures/").get_data(as_text=True)
    assert Invoice.select().first().number in listing


def test_other_towns_are_invisible(auth):
    town, h, inv = issued_invoice()
    other = priced_town()
    aclient = auth.finance(other)
    assert inv.number not in aclient.get("/admin/factures/").get_data(as_text=True)
    assert aclient.get(f"/admin/factures/details/?id={inv.id}").status_code in (302, 404)
    assert aclient.get(f"/admin/facturation/avoir/{inv.id}").status_code == 404
    prices = aclient.get("/admin/tarifs/").get_data(as_text=True)
    assert prices.count("1,50 €") == 2  # only its own two schools' REPAS tier


def test_deleting_prices_stays_in_the_town(auth):
    town, other = priced_town(), priced_town()
    mine = Price.select().where(Price.town == town.id).first()
    theirs = Price.select().where(Price.town == other.id).first()
    aclient = auth.finance(town)
    response = aclient.post(
        "/admin/tarifs/action/",
        data={
            "csrf_token": csrf(aclient, "/admin/tarifs/"),
            "action": "delete",
            "rowid": [str(mine.id), str(theirs.id)],
        },
    )
    assert response.status_code == 302
    assert not Price.select().where(Price.id == mine.id).exists()
    assert Price.select().where(Price.id == theirs.id).exists()


def test_prices_offline_payment_and_credit_note_screens(auth):
    town, h, inv = issued_invoice(days=10)  # 15,00 €
    aclient = auth.finance(town)
    token = csrf(aclient, "/admin/tarifs/new/")
    unit = f.unit(town, "GARDERIE MATIN")
    resp = aclient.post(
        "/admin/tarifs/new/",
        data={
            "csrf_token": token,
            "unit": str(unit.id),
            "qf_min": "0",
            "qf_max": "",
            "price_euros": "1,35",
            "valid_from": "2027-01-01",
            "valid_to": "",
        },
    )
    assert resp.status_code == 302
    price = Price.get(Price.valid_from == "2027-01-01")
    assert (price.town_id, price.amount_cents) == (town.id, 135)
    # a price that is not an amount in euros is refused in French, and nothing is saved
    resp = aclient.post(
        "/admin/tarifs/new/",
        data={
            "csrf_token": token,
            "unit": str(unit.id),
            "qf_min": "0",
            "qf_max": "",
            "price_euros": "deux euros",
            "valid_from": "2027-02-01",
            "valid_to": "",
        },
    )
    assert "Prix invalide : indiquez un montant en euros" in resp.get_data(as_text=True)
    assert not Price.select().where(Price.valid_from == "2027-02-01").exists()
    resp = aclient.post(
        "/admin/facturation/reglement",
        data={
            "csrf_token": token,
            "household": str(h.id),
            "method": "cheque",
            "amount": "10,00",
            "reference": "CHQ 42",
        },
    )
    assert resp.status_code == 302
    assert Invoice.get_by_id(inv.id).state == "partly_paid"
    assert Payment.get().reference == "CHQ 42"
    balances = aclient.get("/admin/facturation/soldes").get_data(as_text=True)
    assert "5,00 €" in balances
    resp = aclient.post(
        f"/admin/facturation/avoir/{inv.id}",
        data={"csrf_token": token, "amount": "", "reason": "Fermeture exceptionnelle"},
    )
    assert resp.status_code == 302
    assert Invoice.get_by_id(inv.id).state == "paid"  # paid 10, credited 5: balance zero
    note = CreditNote.get()
    assert aclient.get(f"/admin/facturation/avoirs/{note.id}.pdf").mimetype == "application/pdf"
