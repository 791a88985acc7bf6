"""The public side of the portal: what parents and visitors read without logging in. News
(/actualites, paginated, and its Atom and RSS feeds), pages and documents at their
addresses (/commune/<town>/<folders>/<slug>), the menus of the week per site (/menus),
the documents (/documents) and search (/recherche). Only visible content is ever shown
(workflows.content_rules.visible); staff of an item's town who write or review content
see a preview of it at its address."""

from __future__ import annotations

from flask import Flask

from . import accessibility, feeds, menus, pages  # noqa: F401  (register the routes on bp)
from .blueprint import bp
from .common import register_filters


def init_app(app: Flask) -> None:
    register_filters(app)
    app.register_blueprint(bp)
