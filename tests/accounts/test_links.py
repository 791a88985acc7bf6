"""One-time links: signed, single use, expiring (reset 1 hour, invitation 7 days); the
lost-password flow from the e-mail in the outbox to the login."""

import datetime as dt

from models import Account, utcnow
from workflows import accounts

from .. import factories as f
from ..forms import login, post_form
from .conftest import drain, link_in, mails_to, path_of

SECRET = "test-secret"


def test_lost_password_flow(app, family, queue):
    post_form(app.test_client(), "/mot-de-passe-oublie", {"email": family._email.upper()})
    drain(queue)
    [mail] = mails_to(app, family._email)
    assert "mot de passe" in mail["Subject"]
    assert mail.get_body(preferencelist=("html",)) is not None  # plain text and HTML
    url = path_of(link_in(mail, "/mot-de-passe/"))
    client = app.test_client()
    r = post_form(
        client,
        url,
        {"password": "ma nouvelle phrase secrète", "confirm": "ma nouvelle phrase secrète"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/connexion")
    assert login(client, family._email, "ma nouvelle phrase secrète").status_code == 302
    # the link works once
    again = app.test_client().get(url)
    assert again.status_code == 410
    assert "déjà servi ou a expiré" in again.get_data(as_text=True)


def test_reset_link_expires_after_one_hour(app, family):
    account = f.account(family)
    old = accounts.issue_token(account, "reset", SECRET, now=utcnow() - dt.timedelta(minutes=61))
    assert accounts.check_token(old, "reset", SECRET) is None
    fresh = accounts.issue_token(account, "reset", SECRET, now=utcnow() - dt.timedelta(minutes=59))
    assert accounts.check_token(fresh, "reset", SECRET) is not None


def test_invitation_link_lasts_seven_days(app, family):
    account = f.account(family)
    ok = accounts.issue_token(account, "invite", SECRET, now=utcnow() - dt.timedelta(days=6))
    assert accounts.check_token(ok, "invite", SECRET) is not None
    late = accounts.issue_token(account, "invite", SECRET, now=utcnow() - dt.timedelta(days=8))
    assert accounts.check_token(late, "invite", SECRET) is None


def test_links_are_signed_and_bound_to_their_purpose(app, family):
    account = f.account(family)
    token = accounts.issue_token(account, "reset", SECRET)
    assert accounts.check_token(token, "reset", "another-secret") is None
    assert accounts.check_token(token, "invite", SECRET) is None
    assert accounts.check_token(token[:-2] + "xx", "reset", SECRET) is None
    assert accounts.check_token("n'importe quoi", "reset", SECRET) is None
    assert app.test_client().get("/mot-de-passe/n'importe-quoi").status_code == 410


def test_a_new_link_cancels_the_previous_one(app, family):
    account = f.account(family)
    first = accounts.issue_token(account, "reset", SECRET)
    second = accounts.issue_token(account, "reset", SECRET)
    assert accounts.check_token(first, "reset", SECRET) is None
    assert accounts.check_token(second, "reset", SECRET) is not None


def test_reset_refuses_a_weak_password_and_keeps_the_link(app, family):
    token = accounts.issue_token(f.account(family), "reset", app.config["SECRET_KEY"])
    client = app.test_client()
    r = post_form(
        client, f"/mot-de-passe/{token}", {"password": "azertyuiop", "confirm": "azertyuiop"}
    )
    assert r.status_code == 200 and "trop courant" in r.get_data(as_text=True)
    assert client.get(f"/mot-de-passe/{token}").status_code == 200


def test_reset_ends_every_open_session(app, family, parent_client):
    token = accounts.issue_token(f.account(family), "reset", app.config["SECRET_KEY"])
    post_form(
        app.test_client(),
        f"/mot-de-passe/{token}",
        {"password": "ma nouvelle phrase", "confirm": "ma nouvelle phrase"},
    )
    assert parent_client.get("/mon-compte").status_code == 302


def test_only_the_nonce_digest_is_stored(app, family):
    from models.accounts import OneTimeToken

    token = accounts.issue_token(f.account(family), "reset", SECRET)
    row = OneTimeToken.get()
    assert row.nonce_hash not in token and len(row.nonce_hash) == 64
    assert Account.get_by_id(row.account_id).email == family._email
