"""The workflows of shared/spec/WORKFLOWS.md, as data."""

from __future__ import annotations

from models import Booking, Enrolment, Invoice, Payment, Request, RequestLine
from models.billing import InvoicingRun
from models.content import ContentItem
from models.openings import Opening

from . import content_rules, enrolment_rules, rules, words
from .engine import DELETED, NEW, Transition, define


def _t(name, sources, target, roles, guard=None, needs_comment=False, title="", carries=None):
    if isinstance(sources, str):
        sources = (sources,)
    return Transition(
        name,
        tuple(sources),
        target,
        frozenset(roles),
        guard,
        needs_comment,
        title,
        tuple((carries or {}).items()),
    )


BOOKING = define(
    "booking",
    Booking,
    states=words.titles("booking"),
    initial="free",
    transitions=[
        _t(
            "request",
            "free",
            "requested",
            {"parent", "approver"},
            rules.guard_request,
            title="Réserver",
        ),
        _t(
            "accept",
            "requested",
            "booked",
            {"system", "approver"},
            rules.guard_accept,
            title="Accepter",
        ),
        _t("queue", "requested", "waiting", {"system", "approver"}, title="Mettre en attente"),
        _t(
            "refuse",
            "requested",
            "free",
            {"system", "approver"},
            needs_comment=True,
            title="Refuser",
        ),
        _t("withdraw", "requested", "free", {"parent"}, rules.guard_withdraw, title="Retirer"),
        _t(
            "admit",
            "waiting",
            "booked",
            {"system", "approver"},
            rules.guard_admit,
            title="Admettre",
        ),
        _t(
            "leave_waiting",
            "waiting",
            "free",
            {"parent", "system"},
            rules.guard_withdraw,  # the one rule: until the booking deadline, like withdraw
            title="Quitter la liste d'attente",
        ),
        _t(
            "ask_cancel",
            "booked",
            "cancel_requested",
            {"parent", "approver"},
            rules.guard_ask_cancel,
            title="Annuler",
        ),
        _t(
            "confirm_cancel",
            "cancel_requested",
            "free",
            {"system", "approver"},
            rules.guard_confirm_cancel,
            title="Confirmer l'annulation",
        ),
        _t(
            "refuse_cancel",
            "cancel_requested",
            "booked",
            {"system", "approver"},
            needs_comment=True,
            title="Refuser l'annulation",
        ),
        _t("cancel_by_town", "booked", "free", {"system", "admin"}, title="Annulé par la ville"),
    ],
)

REQUEST = define(
    "request",
    Request,
    states=words.titles("request"),
    initial="basket",
    transitions=[
        _t("send", "basket", "sent", {"parent", "approver"}, title="Valider"),
        _t("empty", "basket", "emptied", {"parent"}, title="Vider"),
        _t("complete", "sent", "done", {"system", "approver"}, title="Terminer"),
    ],
)

# One cell of one request: what the parent watches go yellow, then green. Each transition
# carries its booking's (by the line's source state and action), in one statement; the
# booking's history row names the line. A line refused because its cell was taken at the
# moment it was sent carries nothing and is recorded on its own.
REQUEST_LINE = define(
    "request_line",
    RequestLine,
    states=words.titles("request_line"),
    initial="draft",
    transitions=[
        _t(
            "send",
            "draft",
            "pending",
            {"parent", "approver"},
            title="Envoyer",
            carries={("draft", "book"): "request", ("draft", "cancel"): "ask_cancel"},
        ),
        _t("drop", "draft", DELETED, {"parent"}, title="Retirer du panier"),
        _t(
            "accept",
            "pending",
            "accepted",
            {"system", "approver"},
            title="Accepter",
            carries={("pending", "book"): "accept", ("pending", "cancel"): "confirm_cancel"},
        ),
        _t(
            "refuse",
            "pending",
            "refused",
            {"system", "approver"},
            needs_comment=True,
            title="Refuser",
            carries={("pending", "book"): "refuse", ("pending", "cancel"): "refuse_cancel"},
        ),
        _t(
            "queue",
            "pending",
            "queued",
            {"system", "approver"},
            title="Mettre en liste d'attente",
            carries={("pending", "book"): "queue"},
        ),
        _t(
            "admit",
            "queued",
            "accepted",
            {"system", "approver"},
            title="Admettre",
            carries={("queued", "book"): "admit"},
        ),
        _t(
            "withdraw",
            ("pending", "queued"),
            "withdrawn",
            {"parent"},
            title="Retirer",
            carries={("pending", "book"): "withdraw", ("queued", "book"): "leave_waiting"},
        ),
    ],
    carries=BOOKING,
)


# -- billing ------------------------------------------------------------------------------------
INVOICE = define(
    "invoice",
    Invoice,
    states=words.titles("invoice"),
    initial="draft",
    transitions=[
        _t("issue", "draft", "issued", {"system", "finance"}, title="Émettre"),
        _t("pay", ("issued", "partly_paid"), "paid", {"system", "finance"}, title="Solder"),
        _t(
            "pay_part",
            ("issued", "partly_paid"),
            "partly_paid",
            {"system", "finance"},
            title="Paiement partiel",
        ),
        _t(
            "credit",
            ("issued", "partly_paid"),
            "credited",
            {"finance"},
            needs_comment=True,
            title="Annuler par un avoir",
        ),
    ],
)

PAYMENT = define(
    "payment",
    Payment,
    states=words.titles("payment"),
    initial="created",
    transitions=[
        _t("send", "created", "pending", {"parent", "system"}, title="Payer en ligne"),
        _t("validate", "pending", "validated", {"system"}, title="Valider"),
        _t("refuse", "pending", "refused", {"system"}, title="Refuser"),
        _t(
            "abandon", ("created", "pending"), "abandoned", {"system", "parent"}, title="Abandonner"
        ),
        _t("record", "created", "validated", {"finance"}, title="Enregistrer un règlement"),
    ],
)


# -- enrolments ---------------------------------------------------------------------------------
ENROLMENT = define(
    "enrolment",
    Enrolment,
    states=words.titles("enrolment"),
    initial="requested",
    transitions=[
        _t("request", NEW, "requested", {"parent", "approver"}, title="Demander"),
        _t(
            "accept",
            "requested",
            "active",
            {"approver"},
            enrolment_rules.guard_place_left,
            title="Accepter",
        ),
        _t(
            "queue",
            "requested",
            "waiting",
            {"approver", "system"},
            title="Mettre en liste d'attente",
        ),
        _t("refuse", "requested", "refused", {"approver"}, needs_comment=True, title="Refuser"),
        _t(
            "admit",
            "waiting",
            "active",
            {"approver", "system"},
            enrolment_rules.guard_first_waiting,
            title="Admettre",
        ),
        _t("end", "active", "ended", {"admin", "system"}, title="Terminer"),
        _t("withdraw", ("requested", "waiting"), "withdrawn", {"parent"}, title="Retirer"),
    ],
)


# A month's invoicing run: the jobs' progress, as a workflow of its own so that its state
# moves like every other (and leaves its history); the invoices it drafts and issues go
# through INVOICE.
INVOICING_RUN = define(
    "invoicing_run",
    InvoicingRun,
    states=words.titles("invoicing_run"),
    initial="queued",
    transitions=[
        _t("start", "queued", "running", {"system"}, title="Démarrer"),
        _t("drafted", "running", "drafted", {"system"}, title="Brouillons prêts"),
        _t("issue", "drafted", "issuing", {"finance", "system"}, title="Émettre"),
        _t("issued", "issuing", "issued", {"system"}, title="Émises"),
        _t("fail", ("running", "issuing"), "failed", {"system"}, title="Échec"),
    ],
)


# -- content ------------------------------------------------------------------------------------
# News, pages, menus and documents, in the manner of Plone's simple publication workflow:
# private when created, submitted by an editor, published or sent back (with a comment) by
# a reviewer who is not its author, retracted, or expired by the timer.
CONTENT = define(
    "content",
    ContentItem,
    states=words.titles("content"),
    initial="private",
    transitions=[
        _t("create", NEW, "private", {"editor"}, title="Créer"),
        _t("submit", "private", "pending", {"editor"}, title="Soumettre à la relecture"),
        _t(
            "publish",
            "pending",
            "published",
            {"reviewer"},
            content_rules.guard_publish,
            title="Publier",
        ),
        _t(
            "send_back",
            "pending",
            "private",
            {"reviewer"},
            needs_comment=True,
            title="Renvoyer au rédacteur",
        ),
        _t("retract", "published", "private", {"editor", "reviewer"}, title="Retirer"),
        _t(
            "expire",
            "published",
            "private",
            {"system"},
            content_rules.guard_expire,
            title="Expirer",
        ),
    ],
)


# -- openings -----------------------------------------------------------------------------------
# Limited places given by the town's rules and a draw (workflows/openings.py): the seed is
# committed when collection opens, the timer's job allocates once at the close (the
# conditional UPDATE of `allocate` says which job won), staff preview then publish.
OPENING = define(
    "opening",
    Opening,
    states=words.titles("opening"),
    initial="draft",
    transitions=[
        _t("open", "draft", "collecting", {"system", "admin"}, title="Ouvrir les demandes"),
        _t("allocate", "collecting", "allocated", {"system", "admin"}, title="Attribuer"),
        _t("publish", "allocated", "published", {"admin"}, title="Publier"),
        # Places booked meanwhile (publish refuses then): the same draw on what is left.
        _t("reallocate", "allocated", "allocated", {"admin"}, title="Attribuer de nouveau"),
    ],
)
