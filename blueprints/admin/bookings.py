"""Requests, their lines and the bookings: read-only, since only the workflows change them."""

from __future__ import annotations

from flask_admin.contrib.peewee.filters import DateBetweenFilter, FilterEqual

from models import Booking, Request, RequestLine
from workflows import words
from workflows.definitions import BOOKING, REQUEST

from .base import ReadOnlyModelView, date_fr
from .exports import ExportedList

REQUEST_SUMMARIES = words.choices("request_summary") + [("", "")]  # "": not decided yet
LINE_STATES = words.choices("request_line")
ACTIONS = [("book", "Réservation"), ("cancel", "Annulation")]


class RequestView(ReadOnlyModelView):
    column_list = (
        "id",
        "child",
        "household",
        "state",
        "summary",
        "sent_at",
        "period_start",
        "period_end",
    )
    column_details_list = column_list + ("created_at", "sent_by")
    column_display_pk = True
    column_labels = {
        "id": "N° de demande",
        "child": "Enfant",
        "household": "Foyer",
        "state": "État",
        "summary": "Résultat",
        "created_at": "Créée le",
        "sent_at": "Envoyée le",
        "sent_by": "Envoyée par",
        "period_start": "Du",
        "period_end": "Au",
    }
    column_choices = {"state": list(REQUEST.states.items()), "summary": REQUEST_SUMMARIES}
    column_sortable_list = ("id", "sent_at")
    column_default_sort = ("id", True)
    column_filters = (
        FilterEqual(Request.state, "État", options=list(REQUEST.states.items())),
        FilterEqual(Request.id, "N° de demande"),
        DateBetweenFilter(Request.period_start, "Début de période"),
    )


class RequestLineView(ReadOnlyModelView):
    column_list = (
        "request",
        "child",
        "unit",
        "date",
        "action",
        "state",
        "reason",
        "sent_at",
        "decided_at",
        "decided_by",
    )
    column_labels = {
        "request": "Demande",
        "child": "Enfant",
        "unit": "Prestation",
        "date": "Date",
        "action": "Action",
        "state": "État",
        "sent_at": "Envoyée le",
        "reason_code": "Code du motif",
        "reason": "Motif",
        "decided_at": "Décidée le",
        "decided_by": "Décidée par",
    }
    column_choices = {"state": LINE_STATES, "action": ACTIONS}
    column_formatters = {"date": lambda v, c, m, n: date_fr(m.date, weekday=True)}
    column_sortable_list = ("date", "sent_at", "decided_at")
    column_default_sort = ("id", True)
    column_filters = (
        FilterEqual(RequestLine.state, "État", options=LINE_STATES),
        FilterEqual(RequestLine.action, "Action", options=ACTIONS),
        DateBetweenFilter(RequestLine.date, "Date"),
        FilterEqual(RequestLine.request, "N° de demande"),
    )


class BookingView(ExportedList, ReadOnlyModelView):
    column_list = ("child", "unit", "date", "state", "rank", "refusal_reason", "updated_at")
    column_labels = {
        "child": "Enfant",
        "unit": "Prestation",
        "date": "Date",
        "state": "État",
        "line": "Dernière ligne",
        "rank": "Rang en liste d'attente",
        "refusal_code": "Code du refus",
        "refusal_reason": "Motif du refus",
        "updated_at": "Modifiée le",
    }
    column_choices = {"state": list(BOOKING.states.items())}
    column_formatters = {"date": lambda v, c, m, n: date_fr(m.date, weekday=True)}
    column_sortable_list = ("date", "updated_at")
    column_default_sort = ("date", True)
    column_filters = (
        FilterEqual(Booking.state, "État", options=list(BOOKING.states.items())),
        DateBetweenFilter(Booking.date, "Date"),
    )
