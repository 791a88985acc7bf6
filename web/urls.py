"""Addresses outside a page (e-mails, feeds, the payment provider's return and notification
addresses) are built from PUBLIC_URL only, never from the request's Host header: a forged
Host would otherwise choose where a password-reset link or a payment return leads."""

from __future__ import annotations

from flask import current_app, url_for


def public_url() -> str:
    """The portal's address, as configured (development and tests have a default)."""
    return current_app.config["PUBLIC_URL"].rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """url_for's path on the configured address."""
    return public_url() + url_for(endpoint, **values)
