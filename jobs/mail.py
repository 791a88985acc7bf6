"""Outgoing mail. Until the accounts issue brings SMTP, `send_mail` writes each message as
an .eml file in instance/outbox/ (one file per message), which is what tests read."""

from __future__ import annotations

import logging
import uuid
from email.message import EmailMessage
from pathlib import Path

from config import get_config
from models import utcnow

log = logging.getLogger(__name__)
SENDER = "Portail Famille <ne-pas-repondre@portail-famille.fr>"


def outbox() -> Path:
    return Path(get_config().INSTANCE_PATH) / "outbox"


def send_mail(to: str | list[str], subject: str, text: str, html: str | None = None) -> Path:
    recipients = [to] if isinstance(to, str) else list(to)
    msg = EmailMessage()
    msg["From"] = SENDER
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    folder = outbox()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
    path.write_bytes(bytes(msg))
    log.info("mail to %s: %s (%s)", msg["To"], subject, path.name)
    return path
