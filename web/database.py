"""The database for the web side: bound from config, one connection per request, and the
CLI commands that create the schema and the demo data."""

from __future__ import annotations

import os

import click
from flask import Flask

from models import Town, bind_database, create_schema, database
from workflows import effects
from workflows.demo import create_demo


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(url[len("sqlite:///") :]) or ".", exist_ok=True)
    bind_database(url)

    @app.before_request
    def _connect() -> None:
        database.connect(reuse_if_open=True)

    @app.teardown_appcontext
    def _close(exc) -> None:
        if not database.is_closed():
            database.close()

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create the tables and indexes that are missing."""
        create_schema()
        click.echo("schema ready")

    @app.cli.command("demo-data")
    @click.option("--if-empty", is_flag=True, help="Only when the database holds no town.")
    def demo_data(if_empty: bool) -> None:
        """Create the demo town, thirty households and the demo logins."""
        create_schema()
        if if_empty and Town.select().exists():
            click.echo("demo data already there")
            return
        # `make run` makes the demo before its embedded Redis starts: the sweeps and mails
        # the demo asks for are left to the timer's periodic jobs (no failed enqueue).
        effects.handle_none()
        town = create_demo(content_dir=app.config["CONTENT_DIR"], config=app.config)
        click.echo(f"demo town {town.name} created")
        # Shown once: each demo staff login's TOTP secret (for an authenticator application,
        # or `python -c "import pyotp; print(pyotp.TOTP('SECRET').now())"`).
        click.echo("second factor (TOTP) secrets of the demo staff, asked at their first sign-in:")
        for email, secret in sorted(town._demo["totp_secrets"].items()):
            click.echo(f"  {email:24} {secret}")
