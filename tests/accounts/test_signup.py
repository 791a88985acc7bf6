"""Self sign-up (e-mail confirmed by a one-time link), joining a town with its adhesion
code, several towns on one account, switching between them.

How a self-registered account reaches an existing household: with the town's adhesion code,
the account is linked to the household whose guardian has the same e-mail (the e-mail has
been proved by the confirmation link); with no such guardian a new household is created
from what the parent typed at sign-up."""

from models import Account, Guardian, Household
from models.accounts import AccountProfile

from .. import factories as f
from ..forms import login, post_form
from .conftest import drain, link_in, mails_to, path_of

FORM = {
    "household_name": "Famille Petit",
    "civility": "Mme",
    "last_name": "Petit",
    "first_name": "Anne",
    "phone": "06 00 00 00 01",
    "notify_by": "email",
    "password": "une phrase bien à moi",
    "confirm": "une phrase bien à moi",
}


def _signup(app, email):
    return post_form(app.test_client(), "/inscription", {**FORM, "email": email})


def _confirm(app, queue, email):
    drain(queue)
    url = path_of(link_in(mails_to(app, email)[-1], "/inscription/confirmer/"))
    client = app.test_client()
    r = post_form(client, url, {})
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/mon-compte/collectivites/adherer")
    return client


def test_signup_then_confirm_then_join_creates_a_household(app, town, queue):
    r = _signup(app, "anne@exemple.fr")
    assert "Un e-mail vient d" in r.get_data(as_text=True)
    account = Account.get(Account.email == "anne@exemple.fr")
    assert not account.is_active  # not before the e-mail is confirmed
    assert login(app.test_client(), "anne@exemple.fr", FORM["password"]).status_code == 200
    client = _confirm(app, queue, "anne@exemple.fr")
    assert AccountProfile.get().email_confirmed
    r = post_form(client, "/mon-compte/collectivites/adherer", {"code": town.adhesion_code.lower()})
    assert r.status_code == 302
    h = Household.get(Household.name == "Famille Petit")
    assert h.town_id == town.id
    g = Guardian.get(Guardian.household == h.id)
    assert (g.first_name, g.account_id, g.is_reference) == ("Anne", account.id, True)


def test_join_links_the_household_the_town_knows_by_email(app, town, queue):
    known = f.household(town, "Moreau", children=("Jade",))
    g = known.guardians[0]
    g.account = None
    g.email = "camille.moreau@exemple.fr"
    g.save()
    _signup(app, "Camille.Moreau@exemple.fr")
    client = _confirm(app, queue, "camille.moreau@exemple.fr")
    post_form(client, "/mon-compte/collectivites/adherer", {"code": town.adhesion_code})
    assert "Jade" in client.get("/ma-famille").get_data(as_text=True)
    assert Household.select().where(Household.town == town.id).count() == 1


def test_signup_with_a_known_email_says_the_same_and_warns_the_owner(app, family, queue):
    a = _signup(app, family._email)
    b = _signup(app, "nouveau@exemple.fr")
    assert a.status_code == b.status_code == 200
    assert "Un e-mail vient d" in a.get_data(as_text=True)
    drain(queue)
    [mail] = mails_to(app, family._email)
    assert "déjà un compte" in mail["Subject"]
    assert login(app.test_client(), family._email, f.PASSWORD).status_code == 302  # unchanged


def test_wrong_code_and_second_join(app, town, parent_client):
    r = post_form(parent_client, "/mon-compte/collectivites/adherer", {"code": "FAUX-CODE"})
    assert "pas reconnu" in r.get_data(as_text=True)
    r = post_form(parent_client, "/mon-compte/collectivites/adherer", {"code": town.adhesion_code})
    assert "déjà rattaché" in r.get_data(as_text=True)


def test_adhesion_code_attempts_are_limited(app, parent_client):
    for _ in range(10):
        post_form(parent_client, "/mon-compte/collectivites/adherer", {"code": "ESSAI"})
    r = post_form(parent_client, "/mon-compte/collectivites/adherer", {"code": "ESSAI"})
    assert r.status_code == 429


def test_one_account_in_two_towns_switches(app, town, other_town, family, parent_client):
    r = post_form(
        parent_client, "/mon-compte/collectivites/adherer", {"code": other_town.adhesion_code}
    )
    assert r.status_code == 302
    html = parent_client.get("/mon-compte").get_data(as_text=True)
    assert other_town.name in html  # the new town is shown after joining
    assert "Passer à Ville villea" in html
    second = Household.get(Household.town == other_town.id)
    post_form(
        parent_client,
        "/mon-compte",
        {"household": str(family.id)},
        action="/mon-compte/collectivites/changer",
    )
    assert "Léa" in parent_client.get("/ma-famille").get_data(as_text=True)
    post_form(
        parent_client,
        "/mon-compte",
        {"household": str(second.id)},
        action="/mon-compte/collectivites/changer",
    )
    assert "Léa" not in parent_client.get("/ma-famille").get_data(as_text=True)


def test_confirmation_link_works_once(app, queue):
    _signup(app, "anne@exemple.fr")
    drain(queue)
    url = path_of(link_in(mails_to(app, "anne@exemple.fr")[-1], "/inscription/confirmer/"))
    post_form(app.test_client(), url, {})
    assert app.test_client().get(url).status_code == 410


def test_signup_does_the_same_work_for_a_known_and_an_unknown_email(app, family, monkeypatch):
    """Timing tells nothing: the password is hashed (the slow step) in both cases, and both
    answers are the same page."""
    from workflows import accounts

    hashed = []
    real = accounts.hash_password
    monkeypatch.setattr(accounts, "hash_password", lambda p: hashed.append(p) or real(p))
    known = _signup(app, family._email)
    unknown = _signup(app, "personne-encore@example.fr")
    assert len(hashed) == 2
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True).replace(
        "personne-encore@example.fr", family._email
    )
