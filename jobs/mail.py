"""Sending the outbox (workflows.outbox): through SMTP when SMTP_HOST is set (SMTP_PORT,
SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS, MAIL_FROM beside it), otherwise as one .eml file
per message in instance/outbox/, which is the embedded default, what the README tells how
to read, and what tests read.

Web requests and jobs never send mail themselves: they write it to the outbox in their
transaction, which asks for `deliver_outgoing` once it commits; the timer runs it too, so
a message written while Redis was down is sent when it is back. One run sends everything
that waits, over one SMTP connection."""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from config import get_config
from models import utcnow
from workflows import effects, outbox

from .context import job_database
from .queue import started

log = logging.getLogger(__name__)
BATCH = 200


def build_message(
    recipients: list[str],
    subject: str,
    text: str,
    html: str | None,
    sender: str,
    headers: dict | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="portail-famille.fr")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


class Transport:
    """Where messages go: one SMTP connection, opened at the first message and kept for the
    batch (reopened once if the server drops it), or the outbox folder."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass
            self.smtp = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        smtp = smtplib.SMTP(cfg.SMTP_HOST, cfg.SMTP_PORT, timeout=30)
        if cfg.SMTP_STARTTLS:
            smtp.starttls(context=ssl.create_default_context())
        if cfg.SMTP_USER:
            smtp.login(cfg.SMTP_USER, cfg.SMTP_PASSWORD)
        return smtp

    def send(self, msg: EmailMessage) -> Path | None:
        """Send one message. Returns the .eml path in outbox mode, None through SMTP (an SMTP
        error is raised: the row is tried again later)."""
        if not self.config.SMTP_HOST:
            folder = Path(self.config.INSTANCE_PATH) / "outbox"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
            path.write_bytes(bytes(msg))
            return path
        for attempt in (1, 2):
            if self.smtp is None:
                self.smtp = self._connect()
            try:
                self.smtp.send_message(msg)
                return None
            except smtplib.SMTPServerDisconnected:
                self.smtp = None
                if attempt == 2:
                    raise
        return None


def send_mail(to: str | list[str], subject: str, text: str, html: str | None = None) -> Path | None:
    """Send one message now, outside the outbox (a shell, a test of the transport)."""
    cfg = get_config()
    recipients = [to] if isinstance(to, str) else list(to)
    with Transport(cfg) as transport:
        return transport.send(build_message(recipients, subject, text, html, cfg.MAIL_FROM))


def deliver_outgoing(max_batches: int = 1000) -> int:
    """The job: send what waits in the outbox, BATCH messages at a time, each batch claimed
    first (two senders never send the same message) and marked sent once sent. Returns how
    many were sent."""
    with job_database() as cfg:
        started(cfg, effects.DELIVER_MAIL)
        total = 0
        with Transport(cfg) as transport:
            for _ in range(max_batches):
                batch = outbox.claim(BATCH)
                if not batch:
                    break
                done = []
                for row in batch:
                    msg = build_message(
                        row.recipients.split(", "),
                        row.subject,
                        row.text,
                        row.html,
                        cfg.MAIL_FROM,
                        json.loads(row.headers) if row.headers else None,
                    )
                    try:
                        transport.send(msg)
                    except (OSError, smtplib.SMTPException) as exc:
                        log.warning("mail %d to %s failed: %r", row.id, row.recipients, exc)
                        outbox.failed(row.id, repr(exc), row.attempts)
                        continue
                    done.append(row.id)
                outbox.sent(done)
                total += len(done)
    if total:
        log.info("sent %d e-mails", total)
    return total
