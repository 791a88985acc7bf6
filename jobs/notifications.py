"""Telling households that a request has been decided, by e-mail, once per request."""

from __future__ import annotations

import logging

from babel.dates import format_date

from models import Guardian, Request, RequestLine
from workflows.decisions import claim_decided_requests

from .context import job_database
from .mail import enqueue_mail

log = logging.getLogger(__name__)

SUMMARY_FR = {
    "accepted": "acceptée",
    "partly_accepted": "partiellement acceptée",
    "refused": "refusée",
    "waiting": "en liste d'attente",
    "withdrawn": "retirée",
}


def _day(d) -> str:
    return format_date(d, "EEEE d MMMM y", locale="fr_FR")


def notify_decided_requests() -> int:
    """Claim the requests decided since the last run and enqueue one French e-mail each to
    the household's guardians with an address. Returns how many were claimed."""
    with job_database() as cfg:
        ids = claim_decided_requests()
        mails = []
        for req in Request.select().where(Request.id.in_(ids)) if ids else []:
            to = [
                g.email
                for g in Guardian.select().where(Guardian.household == req.household_id)
                if g.email
            ]
            if not to or req.summary == "withdrawn":
                continue
            refused = [
                {"day": _day(line.date), "unit": line.unit.label, "reason": line.reason}
                for line in RequestLine.select()
                .where(RequestLine.request == req.id, RequestLine.state == "refused")
                .order_by(RequestLine.date)
            ]
            period = (
                f"du {_day(req.period_start)} au {_day(req.period_end)}"
                if req.period_start and req.period_end and req.period_start != req.period_end
                else f"le {_day(req.period_start)}"
                if req.period_start
                else ""
            )
            values = {
                "number": req.id,
                "child": req.child.first_name,
                "period": period,
                "summary": SUMMARY_FR.get(req.summary, req.summary),
                "refused": refused,
                "link": f"{cfg.PUBLIC_URL.rstrip('/')}/demandes/{req.id}" if cfg.PUBLIC_URL else "",
                "town_name": req.household.town.name,
            }
            mails.append((to, f"Demande n° {req.id} traitée : {values['summary']}", values))
        for to, subject, values in mails:  # after the claim's commit
            enqueue_mail(cfg, to, subject, "request_decided", **values)
    log.info("announced %d decided requests", len(ids))
    return len(ids)
