"""The parents' own pages: "Ma famille", "Mon compte" (password, connections, data,
towns) and "Mes inscriptions" (enrolments, online requests, certificates). Thin views: every
object is looked up inside the current household (another household's id gives 404), and
every change goes through workflows."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("account", __name__)

from . import enrolments, family, profile  # noqa: E402,F401  (register the routes on bp)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    _limit_api_token(app)


def _limit_api_token(app: Flask) -> None:
    """The API's token endpoint is a login too: same per-account and per-address limits."""
    from ..auth.limits import account_key, limiter, setting

    view = app.view_functions.get("api.token")
    if view is None:
        return
    # The limiter registers limits by the function's name: decorate once per process, not
    # once per app (tests build many apps), or each request would count several times.
    if view not in _LIMITED:
        wrapped = limiter.limit(
            setting("RATELIMIT_LOGIN_ACCOUNT"), key_func=account_key, scope="login-account"
        )(view)
        _LIMITED[view] = limiter.limit(setting("RATELIMIT_LOGIN_IP"), scope="login-ip")(wrapped)
    app.view_functions["api.token"] = _LIMITED[view]


_LIMITED: dict = {}
