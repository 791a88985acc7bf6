"""The accessibility statement, in RGAA 4.1's structure, linked from every page."""

from .. import factories as f


def test_the_statement_has_the_rgaa_sections_and_the_towns_contact(app, client):
    town = f.town()
    html = client.get("/accessibilite").get_data(as_text=True).replace("&#39;", "'")
    for heading in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert f">{heading}</h2>" in html
    assert "RGAA" in html and "4.1" in html and "partiellement conforme" in html
    assert town.contact_email in html and "Défenseur des droits" in html


def test_every_page_links_to_it(app, client):
    f.town()
    assert 'href="/accessibilite"' in client.get("/connexion").get_data(as_text=True)
