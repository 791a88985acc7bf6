"""Mail as rows: `write` renders a French e-mail from templates/emails and stores it in the
caller's transaction; `claim` hands a sender a batch of unsent rows, and `sent` / `failed`
say how it went. The sending itself (SMTP, or .eml files by default) is jobs.mail's."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from peewee import fn

from models import Guardian, among, is_postgres, transaction, utcnow
from models.outbox import OutgoingMail

from . import effects

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "emails"
CLAIM_FOR = dt.timedelta(minutes=10)  # a sender that died leaves its rows to another then
RETRY_AFTER = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30))
MAX_ATTEMPTS = 8
GIVEN_UP = dt.datetime(9999, 1, 1)


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]),
    )


def render(name: str, **values) -> tuple[str, str | None]:
    """The plain-text body (templates/emails/NAME.txt) and the HTML one (NAME.html, if any)."""
    env = _env()
    text = env.get_template(f"{name}.txt").render(**values)
    html = None
    if (TEMPLATES / f"{name}.html").exists():
        html = env.get_template(f"{name}.html").render(**values)
    return text, html


@dataclass(frozen=True)
class Mail:
    recipients: tuple[str, ...]
    subject: str
    name: str  # the template
    values: dict
    headers: dict | None = None  # extra headers (List-Unsubscribe...), kept as JSON

    def row(self) -> dict:
        text, html = render(self.name, **self.values)
        return {
            "recipients": ", ".join(self.recipients),
            "subject": self.subject,
            "text": text,
            "html": html,
            "kind": self.name,
            "headers": json.dumps(self.headers) if self.headers else "",
        }


def addresses(household_ids) -> dict[int, list[str]]:
    """household id -> its guardians' e-mail addresses (the reference guardian first): where
    an e-mail to a household goes."""
    to: dict[int, list[str]] = defaultdict(list)
    for household_id, address in (
        Guardian.select(Guardian.household, Guardian.email)
        .where(among(Guardian.household, set(household_ids)), Guardian.email != "")
        .order_by(Guardian.id)
        .tuples()
    ):
        to[household_id].append(address)
    return to


def write(to: str | list[str], subject: str, name: str, **values) -> None:
    """Store one e-mail, in the caller's transaction, and ask for its delivery once that
    commits."""
    write_many([Mail(tuple([to] if isinstance(to, str) else to), subject, name, values)])


def write_many(mails: list[Mail]) -> int:
    """Store many e-mails with one INSERT per thousand, and ask for their delivery."""
    rows = [m.row() for m in mails if m.recipients]
    if not rows:
        return 0
    with transaction():
        for i in range(0, len(rows), 1000):
            OutgoingMail.insert_many(rows[i : i + 1000]).execute()
        effects.ask(effects.DELIVER_MAIL)
    return len(rows)


def claim(limit: int = 200, now: dt.datetime | None = None) -> list[OutgoingMail]:
    """Up to `limit` unsent rows whose time has come, oldest first, claimed for CLAIM_FOR
    with one conditional UPDATE (on PostgreSQL the rows are picked FOR UPDATE SKIP LOCKED,
    so two senders take disjoint batches)."""
    now = now or utcnow()
    with transaction():
        due = (
            OutgoingMail.select(OutgoingMail.id)
            .where(OutgoingMail.sent_at.is_null(), OutgoingMail.claimed_until <= now)
            .order_by(OutgoingMail.id)
            .limit(limit)
        )
        if is_postgres():
            due = due.for_update("FOR UPDATE SKIP LOCKED")
        ids = [i for (i,) in due.tuples()]
        if not ids:
            return []
        claimed = [
            i
            for (i,) in OutgoingMail.update(
                claimed_until=now + CLAIM_FOR, attempts=OutgoingMail.attempts + 1
            )
            .where(among(OutgoingMail.id, ids), OutgoingMail.claimed_until <= now)
            .returning(OutgoingMail.id)
            .tuples()
            .execute()
        ]
        rows = OutgoingMail.select().where(among(OutgoingMail.id, claimed))
        return list(rows.order_by(OutgoingMail.id))


def sent(ids: list[int], now: dt.datetime | None = None) -> int:
    if not ids:
        return 0
    with transaction():
        return (
            OutgoingMail.update(sent_at=now or utcnow(), last_error="")
            .where(among(OutgoingMail.id, ids))
            .execute()
        )


def failed(mail_id: int, error: str, attempts: int, now: dt.datetime | None = None) -> None:
    """Try again later (1 min, 5 min, then every 30 min), up to MAX_ATTEMPTS times."""
    now = now or utcnow()
    wait = RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1]
    values = {"last_error": error[:2000], "claimed_until": now + wait}
    if attempts >= MAX_ATTEMPTS:
        values["claimed_until"] = GIVEN_UP  # not retried; the admin sees it
    with transaction():
        OutgoingMail.update(**values).where(OutgoingMail.id == mail_id).execute()


def waiting(now: dt.datetime | None = None) -> int:
    """How many messages wait to be sent now."""
    now = now or utcnow()
    return (
        OutgoingMail.select(fn.COUNT(OutgoingMail.id))
        .where(OutgoingMail.sent_at.is_null(), OutgoingMail.claimed_until <= now)
        .scalar()
    )
