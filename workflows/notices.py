"""Telling households what became of their requests: claimed once, written to the outbox
in the same transaction as the claim (workflows.outbox), whatever the number of workers."""

from __future__ import annotations

from collections import defaultdict

from models import Child, Household, Request, RequestLine, Town, Unit, among, transaction

from . import outbox, words
from .calendar import format_date_fr
from .decisions import claim_decided_requests

BATCH = 1000


def _period(start, end) -> str:
    if start and end and start != end:
        return f"du {format_date_fr(start)} au {format_date_fr(end)}"
    return f"le {format_date_fr(start)}" if start else ""


def announce_decided_requests(public_url: str = "", now=None) -> int:
    """Claim the requests decided since the last run and write one French e-mail for each to
    the household's guardians with an address (a request the parent withdrew is not
    announced). A thousand at a time, each batch one transaction: claim, read what the
    e-mails say in four queries, write them. Returns how many requests were claimed."""
    total = 0
    while True:
        with transaction():
            ids = claim_decided_requests(BATCH, now)
            if ids:
                outbox.write_many(_mails(ids, public_url))
        total += len(ids)
        if len(ids) < BATCH:
            return total


def _mails(ids: list[int], public_url: str) -> list[outbox.Mail]:
    requests = list(
        Request.select(Request, Child, Household, Town)
        .join(Child)
        .switch(Request)
        .join(Household)
        .join(Town)
        .where(among(Request.id, ids), Request.summary != "withdrawn")
        .order_by(Request.id)
    )
    if not requests:
        return []
    to = outbox.addresses({r.household_id for r in requests})
    refused = defaultdict(list)
    for request_id, day, label, reason in (
        RequestLine.select(RequestLine.request, RequestLine.date, Unit.label, RequestLine.reason)
        .join(Unit, on=RequestLine.unit == Unit.id)
        .where(among(RequestLine.request, [r.id for r in requests]), RequestLine.state == "refused")
        .order_by(RequestLine.date, Unit.position)
        .tuples()
    ):
        refused[request_id].append({"day": format_date_fr(day), "unit": label, "reason": reason})
    base = public_url.rstrip("/")
    mails = []
    for req in requests:
        summary = words.in_sentence("request_summary", req.summary)
        values = {
            "number": req.id,
            "child": req.child.first_name,
            "period": _period(req.period_start, req.period_end),
            "summary": summary,
            "refused": refused[req.id],
            "link": f"{base}/demandes/{req.id}" if base else "",
            "town_name": req.household.town.name,
        }
        subject = f"Demande n° {req.id} traitée : {summary}"
        mails.append(outbox.Mail(tuple(to[req.household_id]), subject, "request_decided", values))
    return mails
