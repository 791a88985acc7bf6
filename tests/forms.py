"""Forms posted the way a browser posts them: the CSRF token read from the page first (CSRF
is on in tests too), and the login form itself."""

from __future__ import annotations

import re

from .factories import PASSWORD

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
