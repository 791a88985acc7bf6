"""The catalogue's forms in French: labels and a help line, prices typed "2,70", money and
dates shown the French way in the lists, the browser's own date input, and bad values
refused in French beside the field."""

from __future__ import annotations

import datetime as dt
import html
import re

from models import Closure, EnrolmentOffer, Price, Service, Site, Unit

from .. import factories as f
from ..forms import csrf_token

PRICES = "/admin/tarifs/"
REFUSED = "Enregistrement refusé : corrigez les champs signalés."


def post(client, url, data):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def beside(page: str, field: str) -> str:
    """The part of the page from the field's input to the next form group (its errors)."""
    start = page.index(f'id="{field}"')
    return page[start : page.find('class="form-group', start)]


def price_form(unit, **changes) -> dict:
    data = {
        "unit": str(unit.id),
        "qf_min": "0",
        "qf_max": "",
        "price_euros": "2,70",
        "valid_from": "2027-01-04",
        "valid_to": "",
    }
    data.update(changes)
    return data


def test_a_price_typed_2_70_is_saved_and_shown_in_french(auth, town_a):
    client = auth.finance(town_a)
    unit = f.unit(town_a, "GARDERIE MATIN")
    response = post(client, f"{PRICES}new/", price_form(unit))
    assert response.status_code == 302
    price = Price.get(Price.unit == unit, Price.valid_from == dt.date(2027, 1, 4))
    assert price.amount_cents == 270
    listing = text(client.get(PRICES))
    assert "2,70 €" in listing and "lun. 4 janv. 2027" in listing
    edit = text(client.get(f"{PRICES}edit/?id={price.id}"))
    assert 'value="2,70"' in edit  # shown back the way it was typed


def test_bad_prices_are_refused_beside_the_field(auth, town_a):
    client = auth.finance(town_a)
    unit = f.unit(town_a, "GARDERIE MATIN")
    for changes, words, field in (
        ({"price_euros": "abc"}, "Prix invalide : indiquez un montant en euros", "price_euros"),
        ({"price_euros": "-1,00"}, "Le montant doit être positif ou nul.", "price_euros"),
        ({"price_euros": "2,705"}, "Prix invalide", "price_euros"),
        ({"valid_to": "2027-01-01"}, "La fin de validité précède son début.", "valid_to"),
        ({"valid_from": "04/01/2027"}, "Date invalide", "valid_from"),
    ):
        response = post(client, f"{PRICES}new/", price_form(unit, **changes))
        assert response.status_code == 200, changes
        page = text(response)
        assert words in beside(page, field), changes
        assert REFUSED in page and "Failed" not in page and "UNIQUE" not in page
    assert not Price.select().where(Price.unit == unit).exists()


def test_the_unit_form_speaks_french_with_a_help_line_each(auth, town_a):
    client = auth.admin(town_a)
    unit = Unit.select().join(Site).where(Site.town == town_a).first()
    page = text(client.get(f"/admin/prestations/edit/?id={unit.id}"))
    for english in ("Book Cutoff", "Weekdays", "Label", "Approval Mode", "Exclusive Group"):
        assert f">{english}" not in page, english
    assert "Heure limite de réservation" in page
    cutoff = re.search(r'<input[^>]*id="book_cutoff"[^>]*>', page).group(0)
    assert 'type="time"' in cutoff and 'value="09:00"' in cutoff  # the browser's own input
    assert "« 3 jours ouvrés avant, avant 9h00 »" in page
    helps = re.findall(r'class="help-block[^"]*"|class="form-text', page)
    assert len(helps) >= 12  # a help line for (nearly) every field
    listing = text(client.get("/admin/prestations/"))
    assert "3 jours ouvrés avant, avant 9h00" in listing

    for view in ("/admin/services/new/", "/admin/structures/new/"):
        form = text(client.get(view))
        assert "Ce que les familles voient" in form or "L'école ou le centre" in form


def test_duplicates_are_refused_in_french(auth, town_a):
    client = auth.admin(town_a)
    unit = Unit.select().join(Site).where(Site.town == town_a).first()
    form = {
        "code": unit.code.lower(),  # the same code, whatever the case
        "label": "Autre repas",
        "site": str(unit.site_id),
        "service": str(unit.service_id),
        "weekdays": "1245",
        "approval_mode": "timer",
        "book_count": "3",
        "book_unit": "working_days",
        "book_cutoff": "09:00",
        "cancel_count": "3",
        "cancel_unit": "working_days",
        "cancel_cutoff": "09:00",
        "position": "9",
    }
    page = text(post(client, "/admin/prestations/new/", form))
    assert f"Le code « {unit.code.lower()} » existe déjà dans cette structure." in beside(
        page, "code"
    )
    service = Service.select().where(Service.town == town_a).first()
    page = text(post(client, "/admin/services/new/", {"name": service.name}))
    assert f"« {service.name} » existe déjà dans la commune." in page

    site = Site.select().where(Site.town == town_a).first()
    offer = {"service": str(service.id), "site": str(site.id), "open_online": "y"}
    assert post(client, "/admin/inscriptions-en-ligne/new/", offer).status_code == 302
    page = text(post(client, "/admin/inscriptions-en-ligne/new/", offer))
    assert "existe déjà" in beside(page, "site") and "UNIQUE" not in page
    assert EnrolmentOffer.select().count() == 1


def test_date_fields_are_the_browser_s_date_input(auth, town_a):
    client = auth.admin(town_a)
    page = client.get("/admin/fermetures/new/").get_data(as_text=True)
    for name in ("start", "end"):
        tag = re.search(rf'<input[^>]*id="{name}"[^>]*>', page).group(0)
        assert 'type="date"' in tag and "datepicker" not in tag, tag

    # an end before its start is refused beside the end, and nothing is closed
    page = text(
        post(client, "/admin/fermetures/new/", {"start": "2027-01-08", "end": "2027-01-04"})
    )
    assert "La fin de la fermeture précède son début." in beside(page, "end")
    assert not Closure.select().exists()

    Closure.create(town=town_a, start=dt.date(2027, 1, 4), end=dt.date(2027, 1, 4), reason="Grève")
    assert "lun. 4 janv. 2027" in text(client.get("/admin/fermetures/"))


def test_walk_in_prices_use_the_same_euros_field(auth, town_a):
    client = auth.finance(town_a)
    unit = f.unit(town_a, "REPAS")
    url = "/admin/tarifs-sans-reservation/"
    assert post(client, url, {f"unit-{unit.id}": "6,50"}).status_code == 302
    assert 'value="6,50"' in text(client.get(url))
    page = text(post(client, url, {f"unit-{unit.id}": "-2"}))
    assert "Le montant doit être positif ou nul." in page


def test_a_closure_of_one_unit_through_the_form(auth, town_a):
    client = auth.admin(town_a)
    garderie = f.unit(town_a, "GARDERIE MATIN")
    other_site = Site.select().where(Site.town == town_a, Site.id != garderie.site_id).first()
    day = f.open_days(n=1)[0].isoformat()
    form = {"start": day, "end": day, "reason": "Animateurs en formation"}
    # a unit of another site than the one chosen: refused beside the unit
    chosen = {**form, "site": str(other_site.id), "unit": str(garderie.id)}
    page = text(post(client, "/admin/fermetures/new/", chosen))
    assert "Cette prestation est celle de" in beside(page, "unit")
    assert not Closure.select().exists()
    response = post(client, "/admin/fermetures/new/", {**form, "unit": str(garderie.id)})
    assert response.status_code == 302
    closure = Closure.get()
    assert (closure.unit_id, closure.site_id) == (garderie.id, garderie.site_id)
    assert garderie.label in text(client.get("/admin/fermetures/"))
