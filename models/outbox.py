"""Outgoing mail, written in the same transaction as what it tells, sent later by a job.

The database is the source of truth for mail as for everything else: a message is a row
before it is anything else, so a Redis outage or a worker killed mid-send delays it and
never loses it. Rows are claimed before they are sent (`claimed_until`), so two workers
never send the same message at once."""

from __future__ import annotations

from peewee import CharField, DateTimeField, IntegerField, TextField

from .db import BaseModel
from .families import utcnow


class OutgoingMail(BaseModel):
    recipients = TextField()  # addresses separated by ", "
    subject = CharField(max_length=400)
    text = TextField()
    html = TextField(null=True)
    headers = TextField(default="")  # extra headers as JSON (List-Unsubscribe...)
    kind = CharField(default="")  # the template it was written from: request_decided, ...
    created_at = DateTimeField(default=utcnow)
    # Not before this moment: a claimed row is left alone until then, a failed one is tried
    # again then (rq's Retry would live in Redis, which may be what failed).
    claimed_until = DateTimeField(default=utcnow)
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    sent_at = DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipients}"


# The sender reads what is still to send, oldest first: a partial index keeps that read
# proportional to what waits, not to every message ever sent.
OutgoingMail.add_index(
    OutgoingMail.index(OutgoingMail.id, name="outgoing_mail_unsent").where(
        OutgoingMail.sent_at.is_null()
    )
)
