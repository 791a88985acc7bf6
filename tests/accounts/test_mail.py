"""jobs.mail: the outbox by default, SMTP when SMTP_HOST is set, one message sent at once
(send_mail), and mail sent by a real rq worker after the commit."""

import smtplib

from config import get_config
from jobs import mail
from workflows import outbox as mail_outbox

from ..conftest import run_worker
from ..forms import post_form
from .conftest import mails_to, outbox, text_of


def test_one_message_goes_to_the_outbox_by_default(app, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    path = mail.send_mail("a@exemple.fr", "Votre facture", "Bonjour,\nvoici.")
    assert path.exists() and path.parent.name == "outbox"
    [msg] = outbox(app)
    assert msg["Subject"] == "Votre facture"
    assert text_of(msg).startswith("Bonjour,")


def test_smtp_when_configured(app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout=None):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, context=None):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user, password))

        def send_message(self, msg):
            sent.append(("send", msg["To"], msg["Subject"], msg["From"]))

        def quit(self):
            sent.append(("quit",))

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setenv("SMTP_HOST", "smtp.exemple.fr")
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("SMTP_USER", "portail")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("MAIL_FROM", "Mairie <mairie@exemple.fr>")
    mail_outbox.write("b@exemple.fr", "Sujet", "password_reset", link="https://x/y", hours=1)
    mail_outbox.write("c@exemple.fr", "Sujet 2", "password_reset", link="https://x/z", hours=1)
    assert mail.deliver_outgoing() == 2
    assert sent == [  # both over one connection
        ("connect", "smtp.exemple.fr", 2525),
        ("starttls",),
        ("login", "portail", "s3cret"),
        ("send", "b@exemple.fr", "Sujet", "Mairie <mairie@exemple.fr>"),
        ("send", "c@exemple.fr", "Sujet 2", "Mairie <mairie@exemple.fr>"),
        ("quit",),
    ]
    assert outbox(app) == []
    assert mail.deliver_outgoing() == 0  # sent once


def test_starttls_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "localhost")
    monkeypatch.setenv("SMTP_STARTTLS", "0")
    s = get_config()
    assert s.SMTP_STARTTLS is False and s.SMTP_PORT == 25


def test_templates_are_french_text_and_html():
    text, html = mail_outbox.render(
        "invitation",
        town_name="Ville A",
        first_name="Camille",
        contact_email="m@a.fr",
        contact_phone="05",
        days=7,
        link="https://portail/invitation/x",
    )
    assert "vous invite" in text and "7 jours" in text
    assert '<a href="https://portail/invitation/x">' in html


def test_a_real_worker_sends_the_reset_mail(app, family):
    post_form(app.test_client(), "/mot-de-passe-oublie", {"email": family._email})
    run_worker()
    assert len(mails_to(app, family._email)) == 1
