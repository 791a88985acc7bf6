"""« Communes »: the portal's super-admin lists the towns and creates one, with its first
admin (who chooses a password by the link e-mailed); a town's admin cannot open it."""

from __future__ import annotations

import html

from models import Account, AuditEntry, OutgoingMail, SchoolYear, Town

from .. import factories as f
from ..forms import csrf_token

URL = "/admin/communes/"


def post(client, data):
    token = csrf_token(client.get(URL).get_data(as_text=True))
    return client.post(URL, data={**data, "csrf_token": token})


def test_the_superadmin_creates_a_town_with_its_admin(auth, town_a, town_b):
    boss = f.staff(town_a, "superadmin")
    client = auth.login(boss)
    page = client.get(URL).get_data(as_text=True)
    assert town_a.name in page and town_b.name in page

    response = post(
        client,
        {"name": "Ville de Lescar", "slug": "lescar", "zone": "A", "admin_email": "dgs@lescar.fr"},
    )
    assert response.status_code == 302
    town = Town.get(Town.slug == "lescar")
    assert town.name == "Ville de Lescar" and town.adhesion_code.startswith("LESCAR-")
    assert SchoolYear.select().where(SchoolYear.town == town).count() == 2
    admin = Account.get(Account.email == "dgs@lescar.fr")
    assert (admin.town_id, admin.roles, admin.is_staff) == (town.id, "admin", True)
    mail = OutgoingMail.get(OutgoingMail.recipients == "dgs@lescar.fr")
    assert mail.kind == "staff_invitation" and "/invitation/" in mail.text
    assert "Ville de Lescar" in mail.subject
    assert AuditEntry.get(AuditEntry.kind == "Commune").who == boss.email
    listing = html.unescape(client.get(URL).get_data(as_text=True))
    assert "Ville de Lescar" in listing and "dgs@lescar.fr" in listing  # the flash


def test_bad_towns_are_refused_in_french(auth, town_a):
    boss = f.staff(town_a, "superadmin")
    client = auth.login(boss)
    page = html.unescape(post(client, {"name": "X", "slug": "Pas Bon", "zone": "A"}).data.decode())
    assert "L'identifiant s'écrit en minuscules" in page
    page = html.unescape(post(client, {"name": "X", "slug": "villea", "zone": "A"}).data.decode())
    assert "Une commune porte déjà cet identifiant." in page
    taken = {"name": "X", "slug": "nouvelle", "zone": "A", "admin_email": boss.email}
    page = html.unescape(post(client, taken).data.decode())
    assert "Un compte existe déjà avec cette adresse e-mail." in page
    assert Town.select().count() == 1


def test_a_town_without_an_admin_account(auth, town_a):
    client = auth.login(f.staff(town_a, "superadmin"))
    assert post(client, {"name": "Ville de Pau", "slug": "pau", "zone": "A"}).status_code == 302
    assert not Account.select().where(Account.town == Town.get(Town.slug == "pau")).exists()


def test_a_town_admin_cannot_open_the_towns(auth, town_a):
    client = auth.admin(town_a)
    assert client.get(URL).status_code == 403
    assert f'href="{URL}"' not in client.get("/admin/").get_data(as_text=True)
