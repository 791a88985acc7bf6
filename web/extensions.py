"""Extensions created bare and bound with init_app, and the security headers."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


# Scripts only from the portal's own files: no inline script runs on the parents' and the
# public pages, so an injected <script> or onclick= would do nothing.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
# Flask-Admin's own templates use inline handlers (onclick= on its row and batch actions),
# which no nonce can allow: the staff's admin, behind its login, keeps 'unsafe-inline'
# for scripts. The portal's own admin pages use static/admin.js.
ADMIN_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: "fr")
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.session_protection = "strong"

    @app.after_request
    def _security_headers(response):
        h = response.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        admin = request.path == "/admin" or request.path.startswith("/admin/")
        h.setdefault("Content-Security-Policy", ADMIN_CSP if admin else CSP)
        return response
