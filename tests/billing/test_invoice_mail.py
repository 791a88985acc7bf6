"""The invoice e-mail: in right French, with the link to the invoice on the portal."""

import datetime as dt

from jobs.invoicing import notify_issued
from models import OutgoingMail
from workflows import invoicing

from .. import factories as f
from .helpers import MONTH, book, family, priced_town, staff_actor, weekdays


def test_the_invoice_mail_links_to_the_invoice(app):
    town = priced_town()
    h = family(town, "Martin")
    book(h.children[0], f.unit(h.town), weekdays(n=2))
    invoicing.draft_month(town.id, MONTH)
    (invoice_id,) = invoicing.issue_month(
        staff_actor(town), town.id, MONTH, today=dt.date(2026, 11, 2)
    )
    assert notify_issued([invoice_id], "https://portail.ville.fr/") == 1
    mail = OutgoingMail.get()
    assert f"https://portail.ville.fr/factures/{invoice_id}" in mail.text
    month = f"consommations {'d' + chr(39) if MONTH.month in (4, 8, 10) else 'de '}"
    assert month in mail.text
    assert " €" in mail.text and "{{" not in mail.text
