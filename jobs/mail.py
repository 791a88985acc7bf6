"""Outgoing mail. `send_mail` sends through SMTP when SMTP_HOST is set in the environment
(SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS, MAIL_FROM beside it); otherwise it
writes each message as an .eml file in instance/outbox/ (one file per message), which is
the embedded default, what the README tells how to read, and what tests read.

Web requests never send mail themselves: they call `enqueue_mail` once their transaction
has committed, and a worker runs `send_template`."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from config import get_config
from models import utcnow

log = logging.getLogger(__name__)
SENDER = "Portail Famille <ne-pas-repondre@portail-famille.fr>"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "emails"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    starttls: bool
    sender: str


def smtp_settings() -> SmtpSettings | None:
    """SMTP settings from the environment, or None when SMTP_HOST is not set (outbox)."""
    env = os.environ.get
    host = env("SMTP_HOST", "").strip()
    if not host:
        return None
    starttls = env("SMTP_STARTTLS", "1").strip().lower() not in ("0", "false", "no", "")
    return SmtpSettings(
        host=host,
        port=int(env("SMTP_PORT", "587" if starttls else "25")),
        user=env("SMTP_USER", ""),
        password=env("SMTP_PASSWORD", ""),
        starttls=starttls,
        sender=env("MAIL_FROM", SENDER),
    )


def outbox() -> Path:
    return Path(get_config().INSTANCE_PATH) / "outbox"


def build_message(
    recipients: list[str], subject: str, text: str, html: str | None, sender: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="portail-famille.fr")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def _deliver_smtp(msg: EmailMessage, cfg: SmtpSettings) -> None:
    with smtplib.SMTP(cfg.host, cfg.port, timeout=30) as smtp:
        if cfg.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if cfg.user:
            smtp.login(cfg.user, cfg.password)
        smtp.send_message(msg)


def send_mail(to: str | list[str], subject: str, text: str, html: str | None = None) -> Path | None:
    """Send one message now (from a job). Returns the .eml path in outbox mode, None when
    sent through SMTP (an SMTP error is raised, so rq's Retry can try again)."""
    recipients = [to] if isinstance(to, str) else list(to)
    cfg = smtp_settings()
    msg = build_message(
        recipients, subject, text, html, cfg.sender if cfg else os.environ.get("MAIL_FROM", SENDER)
    )
    if cfg is not None:
        _deliver_smtp(msg, cfg)
        log.info("mail to %s: %s (smtp %s)", msg["To"], subject, cfg.host)
        return None
    folder = outbox()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
    path.write_bytes(bytes(msg))
    log.info("mail to %s: %s (%s)", msg["To"], subject, path.name)
    return path


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]),
    )


def render_mail(name: str, **values) -> tuple[str, str | None]:
    """The plain-text body (templates/emails/NAME.txt) and the HTML one (NAME.html, if any)."""
    env = _env()
    text = env.get_template(f"{name}.txt").render(**values)
    html = None
    if (TEMPLATES / f"{name}.html").exists():
        html = env.get_template(f"{name}.html").render(**values)
    return text, html


def send_template(to: str | list[str], subject: str, name: str, values: dict) -> Path | None:
    """The rq job: render the French e-mail `name` and send it."""
    text, html = render_mail(name, **values)
    return send_mail(to, subject, text, html)


def enqueue(config, func, *args, **kwargs):
    """Enqueue a mail job (call it after the commit). Retried by rq when SMTP fails.
    Returns the job, or None when Redis is unreachable (logged: the web answer stays the
    same, so no caller reveals anything by failing)."""
    from rq import Retry

    from .queue import queue_for

    try:
        return queue_for(config).enqueue(
            func,
            *args,
            **kwargs,
            job_timeout=120,
            result_ttl=300,
            retry=Retry(max=3, interval=[10, 60, 300]),
        )
    except Exception:  # noqa: BLE001 - Redis down: log it, do not break the page
        log.error("could not enqueue mail job %s", getattr(func, "__name__", func), exc_info=True)
        return None


def enqueue_mail(config, to: str | list[str], subject: str, name: str, **values):
    return enqueue(config, send_template, to, subject, name, values)
