"""Rate limits on login and reset, per account (the e-mail typed) and per address, with
Flask-Limiter storing its counters in the portal's Redis.

Logins count failures only, one counter per account and one per address whatever the
door (the login form or the API's token): a family on a phone and a PC never locks itself
out, and a school's or a company's network, where hundreds of parents share one address on
opening day, is not stopped by its own successful logins."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

log = logging.getLogger(__name__)

DEFAULTS = {
    "RATELIMIT_LOGIN_ACCOUNT": "10 per 15 minutes",  # failed logins of one account
    # Failed logins from one address: a school's network or a mobile NAT at an opening
    # (2,500 parents, a few percent of typos) stays well under it; guessing does not.
    "RATELIMIT_LOGIN_IP": "600 per 10 minutes",
    "RATELIMIT_RESET_ACCOUNT": "5 per hour",
    "RATELIMIT_RESET_IP": "30 per hour",
    "RATELIMIT_SIGNUP_IP": "20 per hour",
    "RATELIMIT_ADHESION_ACCOUNT": "10 per hour",
}
LIMITED_FR = (
    "Trop de tentatives en peu de temps. Par sécurité, patientez quelques minutes "
    "avant de réessayer."
)

limiter = Limiter(
    key_func=get_remote_address, default_limits=[], strategy="fixed-window", headers_enabled=True
)


def storage_uri(redis_url: str) -> str:
    """The limits library's name for the same Redis: it reads `redis+unix://` where redis-py
    and rq read `unix://` (the embedded Redis of `make run`)."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


def account_key() -> str:
    """The account a login or reset is about: the e-mail typed (an unknown one counts too,
    so the limit itself reveals nothing)."""
    email = (request.form.get("email") or "").strip().lower()
    if not email and request.is_json:
        data = request.get_json(silent=True)
        if isinstance(data, dict):
            email = str(data.get("email", "")).strip().lower()
    return f"account:{email}" if email else f"ip:{get_remote_address()}"


def current_account_key() -> str:
    if current_user.is_authenticated:
        return f"account-id:{current_user.account.id}"
    return f"ip:{get_remote_address()}"


def setting(name: str):
    return lambda: current_app.config[name]


def login_failed() -> None:
    """The view says the password (or the e-mail) was wrong: this attempt counts."""
    g.login_failed = True


def _failed(_response) -> bool:
    return bool(g.get("login_failed"))


def _limited(view, account_scope: str, key_func):
    """Failed attempts count against the account (its own scope) and the address (one
    counter for every door: passwords and second-factor codes alike)."""
    view = limiter.shared_limit(
        setting("RATELIMIT_LOGIN_ACCOUNT"),
        scope=account_scope,
        key_func=key_func,
        methods=["POST"],
        deduct_when=_failed,
    )(view)
    return limiter.shared_limit(
        setting("RATELIMIT_LOGIN_IP"), scope="login-ip", methods=["POST"], deduct_when=_failed
    )(view)


def login_limited(view):
    """The login limits, on a view that logs in (the form's POST, the API's token)."""
    return _limited(view, "login-account", account_key)


def pending_account_key() -> str:
    """The account whose password passed and whose second factor is asked (a code's
    attempts count against it, whatever the address)."""
    from .login import PENDING  # login imports this module

    account_id = session.get(PENDING)
    if account_id:
        return f"account-id:{account_id}"
    return current_account_key()


def second_factor_limited(view):
    """The login limits, on a view that checks a second-factor code: failed codes count
    against the account (RATELIMIT_LOGIN_ACCOUNT) and against the address, like failed
    passwords (the address's counter is the same)."""
    return _limited(view, "second-factor-account", pending_account_key)


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config["REDIS_URL"]))
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "portail-limits")
    # A Redis outage must not lock every parent out: counters fall back to memory.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)

    @app.errorhandler(429)
    def _too_many(exc):
        log.warning(
            "rate limit hit on %s from %s: %s",
            request.path,
            get_remote_address(),
            getattr(exc, "description", ""),
        )
        if request.path.startswith("/api/"):
            return jsonify(
                {"error": "too_many_requests", "message": "Too many attempts; try again later."}
            ), 429
        return render_template("account/limited.html", message=LIMITED_FR), 429
