"""Flask-Admin for staff, built inside the factory."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_admin import Admin
    from flask_admin.theme import Bootstrap4Theme

    Admin(app, name="Portail Famille – agents", theme=Bootstrap4Theme())
