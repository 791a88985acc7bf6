"""The parents' home speaks to the family by name and, with no child yet, says what next."""

from .. import factories as f


def test_the_home_greets_the_family_once(auth, town):
    h = f.household(town, name="Famille Martin", children=("Léa",))
    client = auth.parent(h)
    html = client.get("/").get_data(as_text=True)
    assert "Bonjour, famille Martin</h1>" in html
    assert "famille Famille" not in html


def test_with_no_child_yet_the_home_says_what_to_do_next(auth, town):
    h = f.household(town, name="Nouvelle famille", children=())
    client = auth.parent(h)
    html = client.get("/").get_data(as_text=True).replace("&#39;", "'")
    assert "<h1>Bonjour</h1>" in html
    assert 'id="next-steps"' in html
    assert town.contact_phone and town.contact_phone in html
    assert 'href="tel:0559000000"' in html
    assert "/mes-inscriptions" in html
