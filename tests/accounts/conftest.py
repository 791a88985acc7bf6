"""Helpers for the accounts tests: mail jobs run in this process (or by a real worker), the
outbox read back, and a town with one family."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from models import Account
from workflows.accounts import hash_password

from .. import factories as f

LINK = re.compile(r"https?://[^\s<>\"]+")


def drain(queue) -> int:
    """Run the queued jobs here, in order (each opens its own database, as in a worker)."""
    count = 0
    while True:
        ids = queue.job_ids
        if not ids:
            return count
        for job_id in ids:
            job = queue.fetch_job(job_id)
            queue.remove(job_id)
            if job is not None:
                job.perform()
                count += 1


def outbox(app) -> list:
    """The messages sent, once what waits in the outbox table has been sent, here, as the
    mail job does in a worker."""
    from jobs.mail import deliver_outgoing

    deliver_outgoing()
    folder = Path(app.config["INSTANCE_PATH"]) / "outbox"
    if not folder.exists():
        return []
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


def clear_outbox(app) -> None:
    folder = Path(app.config["INSTANCE_PATH"]) / "outbox"
    for p in folder.glob("*.eml"):
        p.unlink()


def mails_to(app, address: str) -> list:
    return [m for m in outbox(app) if address in m["To"]]


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def link_in(msg, path_part: str) -> str:
    for url in LINK.findall(text_of(msg)):
        if path_part in url:
            return url
    raise AssertionError(f"no link with {path_part!r} in {text_of(msg)!r}")


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture(autouse=True)
def _empty_outbox(app):
    clear_outbox(app)
    yield


@pytest.fixture
def town(app):
    return f.town("villea")


@pytest.fixture
def other_town(app):
    return f.town("villeb")


@pytest.fixture
def family(town):
    return f.household(town, "Martin", children=("Léa", "Hugo"))


@pytest.fixture
def parent_client(auth, family):
    return auth.parent(family)


def make_parent_account(email: str, password: str = f.PASSWORD) -> Account:
    return Account.create(email=email, password_hash=hash_password(password))
