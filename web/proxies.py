"""Who the client is, behind a reverse proxy: the parent's address (for the login limits and
the connection history) and scheme are read from the X-Forwarded-* headers only for the
PROXY_COUNT proxies the portal trusts (werkzeug's ProxyFix); a header a client sent
itself, beyond them, is ignored. With no proxy (PROXY_COUNT=0), the headers are ignored."""

from __future__ import annotations

from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app) -> None:
    count = app.config["PROXY_COUNT"]
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
