"""« Dossier foyer »: found by any of its names, numbers and addresses, its whole file, and
a day booked for the family by staff through the parent's operation, the staff member
named in the history."""

from __future__ import annotations

from models import Guardian, Household, WorkflowHistory
from workflows import decisions

from .. import factories as f
from ..billing.helpers import issued_invoice, pdftotext
from ..forms import post_form


def test_search_by_every_key(auth, town_a, town_b):
    h = f.household(town_a, name="Martin", children=("Léa",))
    Household.update(caf_number="1234567").where(Household.id == h.id).execute()
    Guardian.update(phone="06 12 34 56 78").where(Guardian.household == h.id).execute()
    f.household(town_b, name="Martin")  # another town's
    client = auth.approver(town_a)
    for q in ("mart", "Camille", h._email[:6], "0612345678", "06 12 34", "léa", "1234567"):
        page = client.get("/admin/dossier-foyer/", query_string={"q": q}).get_data(as_text=True)
        assert page.count(f'/admin/dossier-foyer/{h.id}"') == 1, q
        assert page.count("<li><a href") == 1, q
    page = client.get("/admin/dossier-foyer/", query_string={"q": "zzz"}).get_data(as_text=True)
    assert "Aucun foyer trouvé." in page


def test_the_file_and_booking_for_the_family(auth, town_b, school_days):
    town, h, invoice = issued_invoice(days=3)
    client = auth.approver(town)
    url = f"/admin/dossier-foyer/{h.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Foyer Martin" in page and "Restauration scolaire" in page
    assert invoice.number in page and "Solde dû" in page
    (cert,) = [e for e in h.children[0].enrolments if e.service.name == "Restauration scolaire"]
    pdf = client.get(f"{url}/attestation/{cert.id}.pdf")
    assert pdf.mimetype == "application/pdf" and "Attestation" in pdftotext(pdf.data)
    staff = f.staff(town, "approver", email="agent.dupont@mairie.fr")
    agent = auth.login(staff)
    resp = post_form(
        agent,
        url,
        {
            "child": h.children[0].id,
            "unit": f.unit(town).id,
            "date": school_days[0].isoformat(),
            "action": "book",
        },
        action=f"{url}/reserver",
        follow_redirects=True,
    )
    assert "envoyée pour Léa" in resp.get_data(as_text=True)
    decisions.sweep()
    row = WorkflowHistory.get(
        WorkflowHistory.workflow == "booking", WorkflowHistory.transition == "request"
    )
    assert row.actor_id == staff.id and row.role == "approver"
    page = agent.get(url).get_data(as_text=True)
    assert "agent.dupont@mairie.fr" in page and "Réservé" in page
    assert auth.approver(town_b).get(url).status_code == 404
    assert auth.finance(town).get(url).status_code == 200
    finance = auth.finance(town)
    resp = post_form(finance, url, {"child": h.children[0].id}, action=f"{url}/reserver")
    assert resp.status_code == 403
