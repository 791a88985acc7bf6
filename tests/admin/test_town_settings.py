"""« Réglages de la commune »: the town's admin saves its settings (audited, secrets masked
and never shown back), its logo (an image, checked) and a new adhesion code; payments read
the provider set here."""

from __future__ import annotations

import html
import io
import json

from models import AuditEntry, Town, TownLogo
from workflows import payments, town_settings

from .. import factories as f
from ..forms import csrf_token

URL = "/admin/reglages/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def settings(**changes) -> dict:
    data = {
        "name": "Ville de Billère",
        "address": "Place de la Mairie, 64140 Billère",
        "contact_email": "periscolaire@billere.fr",
        "contact_phone": "05 59 92 44 44",
        "zone": "A",
        "reminder_hours": "24",
        "payment_backend": "payfip_ws",
        "payment_options": "numcli = 000001\nsaisie = T",
        "payment_secrets": "",
    }
    data.update(changes)
    return data


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(client, data, url=URL, **kw):
    token = csrf_token(client.get(URL).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kw)


def test_settings_are_saved_audited_and_secrets_never_shown_back(app, auth, town_a):
    client = auth.admin(town_a)
    page = client.get(URL).get_data(as_text=True)
    assert "Réglages de la commune" in page and town_a.adhesion_code in page

    response = post(client, settings(payment_secrets="hmac_key = s3cr3t-de-la-regie"))
    assert response.status_code == 302
    town = Town.get_by_id(town_a.id)
    assert (town.name, town.reminder_hours, town.contact_phone) == (
        "Ville de Billère",
        24,
        "05 59 92 44 44",
    )
    entry = AuditEntry.get(AuditEntry.kind == "Réglages")
    changes = json.loads(entry.changes)
    assert changes["reminder_hours"] == ["48", "24"]
    assert "s3cr3t" not in entry.changes
    assert "hmac_key : ••••••" in changes["payment_secrets"][1]

    page = client.get(URL).get_data(as_text=True)
    assert "s3cr3t" not in page  # never shown back
    assert "hmac_key" in page  # its name is
    assert "numcli = 000001" in page

    # an empty secret field keeps the stored secret; payments use the town's provider
    assert post(client, settings(name="Billère")).status_code == 302
    town = Town.get_by_id(town_a.id)
    used = payments.provider_settings(town, app.config)
    assert used == payments.ProviderSettings(
        "payfip_ws", {"numcli": "000001", "saisie": "T", "hmac_key": "s3cr3t-de-la-regie"}
    )
    assert "s3cr3t" not in "".join(e.changes for e in AuditEntry.select())


def test_bad_settings_are_refused_beside_the_field(auth, town_a):
    client = auth.admin(town_a)
    page = text(post(client, settings(reminder_hours="400")))
    assert "Le rappel se fait de 1 à 168 heures" in page
    page = text(post(client, settings(payment_options="secret_test = abc")))
    assert "« secret_test » est un secret" in page
    assert "abc" not in page.split("Secrets du prestataire")[1].split("</textarea>")[0]
    page = text(post(client, settings(payment_options="pas de signe égal")))
    assert "Ligne 1 : écrivez « nom = valeur »" in page
    assert Town.get_by_id(town_a.id).reminder_hours == 48
    assert not AuditEntry.select().exists()


def test_the_logo_must_be_an_image(client, auth, town_a, monkeypatch):
    monkeypatch.setattr(town_settings, "MAX_LOGO_BYTES", 1024)  # a small file is enough
    admin = auth.admin(town_a)
    refused = post(
        admin,
        {"logo": (io.BytesIO(b"%PDF-1.4 pas une image"), "logo.png")},
        url="/admin/reglages/logo",
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "L'image doit être au format PNG ou JPEG." in html.unescape(
        refused.get_data(as_text=True)
    )
    big = post(
        admin,
        {"logo": (io.BytesIO(PNG + b"\x00" * 2048), "logo.png")},
        url="/admin/reglages/logo",
        content_type="multipart/form-data",
    )
    assert "trop volumineuse" in big.get_data(as_text=True)
    assert not TownLogo.select().exists()

    ok = post(
        admin,
        {"logo": (io.BytesIO(PNG), "logo.png")},
        url="/admin/reglages/logo",
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    served = client.get(f"/commune/{town_a.slug}/logo")
    assert (served.status_code, served.mimetype, served.data) == (200, "image/png", PNG)
    assert AuditEntry.get(AuditEntry.kind == "Réglages").changes.startswith('{"logo"')


def test_regenerate_changes_the_adhesion_code(auth, town_a):
    client = auth.admin(town_a)
    old = town_a.adhesion_code
    response = post(client, {}, url="/admin/reglages/code")
    assert response.status_code == 302
    new = Town.get_by_id(town_a.id).adhesion_code
    assert new != old and new.startswith("VILLEA-")
    assert new in client.get(URL).get_data(as_text=True)
    assert json.loads(AuditEntry.get().changes) == {"adhesion_code": [old, new]}


def test_only_the_town_admin_opens_the_settings(auth, town_a):
    for role in ("approver", "finance", "editor"):
        assert auth.staff(town_a, role).get(URL).status_code == 403
    assert f.staff(town_a, "admin")  # the admin's own test is above
