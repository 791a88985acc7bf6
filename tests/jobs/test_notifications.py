"""A household hears once, by e-mail, that its request was decided."""

import email
import email.policy
from pathlib import Path

from jobs.validator import validate_pending
from workflows import bookings

from .. import factories as f
from ..conftest import run_worker
from .workers import queued


def _outbox(app):
    folder = Path(app.config["INSTANCE_PATH"]) / "outbox"
    return (
        [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))
        ]
        if folder.exists()
        else []
    )


def test_the_household_gets_one_mail_when_its_request_is_decided(app, queue):
    for p in (Path(app.config["INSTANCE_PATH"]) / "outbox").glob("*.eml"):
        p.unlink()
    town = f.town()
    h = f.household(town)
    child = h.children[0]
    days = f.open_days(n=2)
    (number,) = bookings.submit(
        f.parent_actor(h),
        [bookings.RequestSpec(child.id, [(f.unit(town).id, d, "book") for d in days])],
    )
    assert len(queued(queue)) == 1  # the send asked for a sweep
    run_worker()  # decides the lines, which asks for the announcement, then its delivery
    mails = _outbox(app)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["To"] == h._email
    assert mail["Subject"] == f"Demande n° {number} traitée : acceptée"
    assert (
        f"Votre demande n° {number} pour {child.first_name}"
        in mail.get_body(("plain",)).get_content()
    )
    queue.enqueue(validate_pending)
    run_worker()
    assert len(_outbox(app)) == 1  # announced once
