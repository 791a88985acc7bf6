"""Portail Famille: the application factory. Nothing is built at import time."""

from __future__ import annotations

from flask import Flask

from blueprints import account, admin, api, auth, billing, content, portal
from config import get_config
from jobs import cli
from web import database, errors, extensions, gate, inputs, proxies


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(__name__, template_folder="templates", static_folder="static")
    cfg = get_config(config_name)
    app.config.from_object(cfg)
    app.config.update(overrides)
    app.instance_path = app.config["INSTANCE_PATH"]

    database.init_app(app)
    extensions.init_app(app)
    errors.init_app(app)  # French pages, JSON under /api, never a stack trace
    inputs.init_app(app)  # ids within a BIGINT, bodies within MAX_CONTENT_LENGTH
    auth.init_app(app)
    portal.init_app(app)
    api.init_app(app)
    account.init_app(app)
    billing.init_app(app)
    content.init_app(app)  # news, pages, menus, documents: the public side
    admin.init_app(app)
    cli.init_app(app)
    proxies.init_app(app)  # who the client is, behind trusted proxies
    gate.init_app(app)  # outermost: a refusal costs nothing of the app
    return app
