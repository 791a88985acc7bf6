"""Staff write to the households of a unit and a day: each gets one e-mail (sent by a real
worker) and finds it in « Mes messages »; no recipient is told in French, nothing sent; the
message is in the audit."""

from __future__ import annotations

from models import Account, HouseholdMessage, OutgoingMail
from models.audit import AuditEntry
from workflows import decisions

from .. import factories as f
from ..admin.conftest import send
from ..conftest import run_worker
from ..forms import post_form
from .test_family_notices import _clear
from .test_notifications import _outbox


def test_a_message_to_a_days_unit(app, auth, queue):
    town = f.town()
    day = f.open_days(n=1)[0]
    martin, durand = f.household(town, name="Martin"), f.household(town, name="Durand")
    f.household(town, name="Petit")  # no booking that day
    send(town, martin, "REPAS", [day])
    send(town, durand, "REPAS", [day])
    decisions.sweep()
    run_worker()
    _clear(app)
    staff = auth.approver(town)
    resp = post_form(
        staff,
        "/admin/message-aux-familles/",
        {
            "unit": f.unit(town).id,
            "date": day.isoformat(),
            "subject": "Sortie de jeudi annulée",
            "body": "La sortie de jeudi est annulée.",
        },
        follow_redirects=True,
    )
    assert "Message envoyé à 2 foyer(s)." in resp.get_data(as_text=True)
    run_worker()
    mails = [m for m in _outbox(app) if m["Subject"] == "Sortie de jeudi annulée"]
    assert sorted(m["To"] for m in mails) == sorted([martin._email, durand._email])
    assert "La sortie de jeudi est annulée." in mails[0].get_body(("plain",)).get_content()
    page = auth.parent(martin).get("/mes-messages").get_data(as_text=True)
    assert "Sortie de jeudi annulée" in page and "Mes messages" in page
    # and the town's journal says who wrote what to whom
    [entry] = AuditEntry.select().where(AuditEntry.kind == "Message aux familles")
    assert entry.who == Account.get_by_id(entry.account_id).email
    assert Account.get_by_id(entry.account_id).is_staff
    assert "Sortie de jeudi annulée" in entry.changes and '"2"' in entry.changes

    before = (HouseholdMessage.select().count(), OutgoingMail.select().count())
    resp = post_form(
        staff,
        "/admin/message-aux-familles/",
        {"class_name": "CM2", "subject": "Test", "body": "Personne"},
    )
    assert "Aucun foyer ne correspond à ces critères." in resp.get_data(as_text=True)
    assert (HouseholdMessage.select().count(), OutgoingMail.select().count()) == before
    assert AuditEntry.select().where(AuditEntry.kind == "Message aux familles").count() == 1
    assert auth.finance(town).get("/admin/message-aux-familles/").status_code == 403
