"""Households hear of what the town changed: a closure that cancelled their bookings (one
e-mail per household, naming the children, the days and the town's message), a place
freed on a waiting list (the household admitted is told, the others move up)."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import Booking, Unit
from workflows import bookings
from workflows.accounts import actor_for
from workflows.calendar import format_date_fr
from workflows.closures import close_days

from .. import factories as f
from ..conftest import run_worker
from .test_notifications import _outbox


def _clear(app):
    for p in (Path(app.config["INSTANCE_PATH"]) / "outbox").glob("*.eml"):
        p.unlink()


def _book(h, unit, days, child=None, action="book"):
    child = child or h.children[0]
    bookings.submit(
        f.parent_actor(h), [bookings.RequestSpec(child.id, [(unit.id, d, action) for d in days])]
    )


def test_a_closure_tells_each_household_once(app, queue):
    town = f.town()
    repas = f.unit(town)
    days = f.open_days(n=2)
    martin = f.household(town, name="Martin", children=("Léa", "Hugo"))
    durand = f.household(town, name="Durand")
    for child in martin.children:
        _book(martin, repas, days, child=child)
    _book(durand, repas, days[:1])
    run_worker()  # decides them, tells each request
    _clear(app)
    close_days(actor_for(f.staff(town, "admin")), town.id, days[0], days[1], "Grève")
    run_worker()  # delivers
    mails = {m["To"]: m for m in _outbox(app) if m["Subject"].startswith("Fermeture")}
    assert set(mails) == {martin._email, durand._email}
    body = mails[martin._email].get_body(("plain",)).get_content()
    assert "(Grève)" in body and "Hugo :" in body and "Léa :" in body
    assert f"- {format_date_fr(days[1])}, Repas" in body
    assert body.count(format_date_fr(days[0])) == 2  # both children, one e-mail


def test_a_household_admitted_from_the_waiting_list_is_told(app, queue):
    town = f.town()
    repas = f.unit(town)
    Unit.update(capacity=1, waiting_list=True).where(Unit.id == repas.id).execute()
    day = f.open_days(n=1)[0]
    a, b, c = (f.household(town, name=n) for n in ("Martin", "Durand", "Petit"))
    for h in (a, b, c):
        _book(h, repas, [day])
        run_worker()
    ranks = {bk.child.household_id: bk.rank for bk in Booking.select()}
    assert (ranks[b.id], ranks[c.id]) == (1, 2)
    _clear(app)
    _book(a, repas, [day], action="cancel")
    run_worker()
    told = [m for m in _outbox(app) if m["Subject"].startswith("Une place s'est libérée")]
    assert [m["To"] for m in told] == [b._email]
    assert format_date_fr(day) in told[0].get_body(("plain",)).get_content()
    petit = Booking.get(Booking.child == c.children[0])
    assert (petit.state, petit.rank) == ("waiting", 1)  # moved up


def test_a_recorded_payment_and_a_credit_note_are_emailed(app, queue):
    from workflows import billing

    from ..billing.helpers import issued_invoice, staff_actor

    town, h, invoice = issued_invoice(days=4)
    run_worker()
    _clear(app)
    finance = staff_actor(town, "finance")
    billing.record_offline_payment(finance, h.id, "cheque", 200, reference="CHQ 7")
    billing.credit(finance, invoice.id, 100, "Repas non servi (grève)")
    run_worker()
    mails = {m["Subject"]: m for m in _outbox(app) if m["To"] == h._email}
    paid = mails["Règlement enregistré"].get_body(("plain",)).get_content()
    assert "2,00 €" in paid and "CHQ 7" in paid
    (subject,) = [s for s in mails if s.startswith("Avoir n° ")]
    text = mails[subject].get_body(("plain",)).get_content()
    assert invoice.number in text and "Repas non servi (grève)" in text and "1,00 €" in text


def test_an_enrolment_admitted_from_the_waiting_list_is_told_and_the_others_move_up(
    app, auth, queue
):
    from models.accounts import EnrolmentOffer
    from models.catalogue import Enrolment
    from workflows import enrolments

    from ..forms import post_form

    town = f.town()
    d = town._demo
    offer = EnrolmentOffer.create(service=d["wednesday"], site=d["leisure"], capacity=1)
    start, end = enrolments.school_years()[0]
    a, b, c = (f.household(town, name=n) for n in ("Martin", "Durand", "Petit"))
    ea, eb, ec = (
        enrolments.request_enrolment(
            f.parent_actor(h),
            enrolments.EnrolmentSpec(
                h.children[0].id, d["wednesday"].id, d["leisure"].id, start, end, "3"
            ),
        )
        for h in (a, b, c)
    )
    staff = actor_for(f.staff(town, "approver"))
    enrolments.decide(staff, ea.id, "accept")
    enrolments.decide(staff, eb.id, "queue")
    enrolments.decide(staff, ec.id, "queue")
    petit = auth.parent(c)
    assert "(rang 2)" in petit.get("/mes-inscriptions").get_data(as_text=True)
    run_worker()
    _clear(app)

    # Martin's place frees: Durand is admitted and told, Petit moves up
    assert enrolments.end(actor_for(f.staff(town, "admin")), ea.id) == [eb.id]
    run_worker()  # delivers
    told = [m for m in _outbox(app) if m["Subject"].startswith("Une place s'est libérée")]
    assert [m["To"] for m in told] == [b._email]
    body = told[0].get_body(("plain",)).get_content()
    assert f"{b.children[0].first_name} : « {d['wednesday'].name} » ({d['leisure'].name})" in body
    assert "(rang 1)" in petit.get("/mes-inscriptions").get_data(as_text=True)

    # the admin raises the capacity: Petit is admitted and told
    _clear(app)
    admin = auth.admin(town)
    resp = post_form(
        admin,
        f"/admin/inscriptions-en-ligne/edit/?id={offer.id}",
        {"service": str(d["wednesday"].id), "site": str(d["leisure"].id), "capacity": "2"},
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert Enrolment.get_by_id(ec.id).state == "active"
    run_worker()
    told = [m for m in _outbox(app) if m["Subject"].startswith("Une place s'est libérée")]
    assert [m["To"] for m in told] == [c._email]
    assert "rang" not in petit.get("/mes-inscriptions").get_data(as_text=True)


def test_an_admission_and_its_email_are_one_transaction(app, queue, monkeypatch):
    """If writing the e-mail fails, the admission is undone too (nothing half-saved)."""
    from models.accounts import EnrolmentOffer
    from models.catalogue import Enrolment
    from models.outbox import OutgoingMail
    from workflows import enrolments, family_notices

    town = f.town()
    d = town._demo
    EnrolmentOffer.create(service=d["wednesday"], site=d["leisure"], capacity=0)
    start, end = enrolments.school_years()[0]
    h = f.household(town, name="Durand")
    e = enrolments.request_enrolment(
        f.parent_actor(h),
        enrolments.EnrolmentSpec(
            h.children[0].id, d["wednesday"].id, d["leisure"].id, start, end, "3"
        ),
    )
    enrolments.decide(actor_for(f.staff(town, "approver")), e.id, "queue")
    EnrolmentOffer.update(capacity=1).execute()
    mails = OutgoingMail.select().count()

    def broken(ids):
        raise RuntimeError("disk full")

    monkeypatch.setattr(family_notices, "tell_enrolments_admitted", broken)
    with pytest.raises(RuntimeError):
        enrolments.admit_waiting(d["wednesday"].id, d["leisure"].id)
    assert Enrolment.get_by_id(e.id).state == "waiting"
    assert OutgoingMail.select().count() == mails


def test_an_admin_ends_an_enrolment_from_the_household_file(app, auth, queue):
    from models.accounts import EnrolmentOffer
    from models.catalogue import Enrolment
    from workflows import enrolments

    from ..forms import post_form

    town = f.town()
    d = town._demo
    EnrolmentOffer.create(service=d["wednesday"], site=d["leisure"], capacity=1)
    start, end = enrolments.school_years()[0]
    a, b = f.household(town, name="Martin"), f.household(town, name="Durand")
    ea, eb = (
        enrolments.request_enrolment(
            f.parent_actor(h),
            enrolments.EnrolmentSpec(
                h.children[0].id, d["wednesday"].id, d["leisure"].id, start, end, "3"
            ),
        )
        for h in (a, b)
    )
    staff = actor_for(f.staff(town, "approver"))
    enrolments.decide(staff, ea.id, "accept")
    enrolments.decide(staff, eb.id, "queue")
    url = f"/admin/dossier-foyer/{a.id}"
    action = f"{url}/inscriptions/{ea.id}/terminer"
    approver = auth.approver(town)
    assert "terminer l'inscription" not in approver.get(url).get_data(as_text=True)
    assert post_form(approver, url, {}, action=action).status_code == 403
    run_worker()
    _clear(app)
    admin = auth.admin(town)
    assert "terminer l'inscription" in admin.get(url).get_data(as_text=True)
    resp = post_form(admin, url, {}, action=action, follow_redirects=True)
    assert "terminée ; 1 demande(s) de la liste d&#39;attente admise(s)" in resp.get_data(True)
    assert (Enrolment.get_by_id(ea.id).state, Enrolment.get_by_id(eb.id).state) == (
        "ended",
        "active",
    )
    run_worker()
    told = [m for m in _outbox(app) if m["Subject"].startswith("Une place s'est libérée")]
    assert [m["To"] for m in told] == [b._email]
    other = auth.admin(f.town())
    assert post_form(other, "/admin/", {}, action=action).status_code == 404
