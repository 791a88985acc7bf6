"""A real HTTP server on the test database and a real headless chromium (Debian's)."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    return shutil.which("chromium")


@pytest.fixture
def live_server(app):
    """The app served over HTTP from a thread, polling fast so tests need not wait long."""
    app.config["POLL_MS"] = 300
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = base  # the address its e-mails' links lead to
    yield base
    server.shutdown()
    thread.join(10)
    server.server_close()


@pytest.fixture
def browser():
    path = chromium_path()
    if path is None:
        reason = "chromium is not installed (apt-get install chromium)"
        if os.environ.get("PORTAIL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} and PORTAIL_REQUIRE_BROWSER=1")
        pytest.skip(f"{reason}; set PORTAIL_REQUIRE_BROWSER=1 to fail instead of skipping")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base_url}/")


def pass_second_factor(page, base_url: str, email: str) -> None:
    """The code page after a staff member's password (or the enrolment page, then its
    recovery codes): a code computed with pyotp from the account's secret."""
    from tests.forms import totp_code

    page.wait_for_url(f"{base_url}/connexion/**")
    enrolling = "double-authentification" in page.url
    page.get_by_label("Code de vérification").fill(totp_code(email))
    page.get_by_role("button", name="Activer" if enrolling else "Valider").click()
    if enrolling:
        page.get_by_role("heading", name="Vos codes de secours").wait_for()
        page.get_by_role("link", name="Continuer").click()


def staff_log_in(page, base_url: str, email: str, password: str) -> None:
    """A staff member's whole login: the password, then the second factor; the admin's
    home opens."""
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    pass_second_factor(page, base_url, email)
    page.wait_for_url(f"{base_url}/admin/")
