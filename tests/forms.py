"""Forms posted the way a browser posts them: the CSRF token read from the page first (CSRF
is on in tests too), and the login form itself."""

from __future__ import annotations

import datetime as dt
import re

import pyotp

from models import Account
from models.accounts import RecoveryCode
from workflows import second_factor

from .factories import PASSWORD, recovery_codes

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_token(html: str) -> str:
    """The token of a page: a form's hidden field, or the meta tag scripts read."""
    match = TOKEN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def csrf(client, url: str = "/connexion") -> str:
    """The token of the page at `url`."""
    return csrf_token(client.get(url).get_data(as_text=True))


def post_form(client, page_url: str, data: dict, action: str | None = None, **kwargs):
    """GET the page, take its CSRF token, POST `data` to `action` (or the page)."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    token = csrf_token(page.get_data(as_text=True))
    return client.post(action or page_url, data={**data, "csrf_token": token}, **kwargs)


def login(client, email: str, password: str = PASSWORD, headers=None):
    """Post the login form; the answer is returned (302 when it worked), for the tests of
    the login itself. To just be logged in, use the `auth` fixture."""
    token = csrf_token(client.get("/connexion", headers=headers).get_data(as_text=True))
    return client.post(
        "/connexion",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
    )


SECOND_FACTOR_PAGES = ("/connexion/code", "/connexion/double-authentification")


def totp_code(email: str) -> str:
    """A code the account's secret gives now that the portal has not accepted yet (this
    step, else the next, which the portal accepts too); when both are used (a third login
    of the same account within 30 seconds), one of its unused recovery codes."""
    account = Account.get(Account.email == email.lower())
    totp = pyotp.TOTP(account.totp_secret)
    now = totp.timecode(dt.datetime.now(dt.UTC))
    for step in (now, now + 1):
        if step > account.totp_last_step:
            return totp.generate_otp(step)
    used = {
        r.code_hash
        for r in RecoveryCode.select().where(
            RecoveryCode.account == account.id, RecoveryCode.used_at.is_null(False)
        )
    }
    for code in recovery_codes(account):
        if second_factor._hash(code) not in used:
            return code
    raise AssertionError(f"{email}: no code left for a login")


def pass_second_factor(client, email: str, response, headers=None):
    """After the password (`response`, a 302 to the code or the enrolment page): enrol if
    asked (the secret read from the database), then post a code. Returns the answer."""
    location = response.headers["Location"]
    page = client.get(location, headers=headers)
    if page.status_code == 302:  # not enrolled yet: the enrolment page
        location = page.headers["Location"]
        page = client.get(location, headers=headers)
    assert page.status_code == 200, (location, page.status_code)
    token = csrf_token(page.get_data(as_text=True))
    return client.post(
        location,
        data={"code": totp_code(email), "csrf_token": token},
        headers=headers,
    )


def needs_second_factor(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith(
        SECOND_FACTOR_PAGES
    )


def login_through(client, email: str, password: str = PASSWORD, headers=None):
    """The whole login: the password, then the second factor when one is asked. The last
    answer is returned (302 to where the login leads; 200 with the recovery codes after
    an enrolment)."""
    response = login(client, email, password, headers=headers)
    if needs_second_factor(response):
        response = pass_second_factor(client, email, response, headers=headers)
    return response
