"""The French words of every state, in one table: what staff screens, e-mails and the
workflow definitions call a state (its title), and how the parents' screens show it (the
words of a sentence, an icon that makes the state readable without colour, the class of
its badge). Read by workflows.definitions, the portal, the admin, the billing pages and
the e-mails, so that a state is called the same everywhere. No Flask here.

Groups are the workflows of workflows.definitions (booking, request, invoice, payment,
enrolment), and beside them what has states but no workflow of its own: a request line,
a request's summary once decided, a planning cell's two states that are not a booking's,
and an invoicing run (the jobs' bookkeeping)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    title: str  # as staff screens, e-mails and the workflow definitions say it
    portal: str = ""  # as the parents' screens say it, when not the title in lower case
    icon: str = ""  # the parents' screens: readable without colour
    css: str = ""  # the parents' screens: the badge's class (st-<css>)

    @property
    def in_sentence(self) -> str:
        """The title inside a sentence: 'Demande n° 12 traitée : acceptée'."""
        return self.title[:1].lower() + self.title[1:]

    @property
    def parent(self) -> str:
        """The words of a parent's screen: `portal`, or the title inside a sentence."""
        return self.portal or self.in_sentence


W = Words

STATES: dict[str, dict[str, Words]] = {
    "booking": {
        "free": W("Libre", icon="○"),
        "requested": W("Demandé", icon="◷"),
        # the planning's chips are short: "liste d'attente (rang 2)"
        "waiting": W("En liste d'attente", "liste d'attente", icon="◷"),
        "booked": W("Réservé", icon="✓"),
        "cancel_requested": W("Annulation demandée", icon="✕"),
    },
    # A planning cell is in one of the booking's states, or in one of these.
    "cell": {
        "closed": W("Fermé", icon="—"),
        "refused": W("Refusé", icon="⚠"),  # free again, its last line refused
    },
    "request": {
        "basket": W("Panier"),
        "sent": W("Envoyée", "envoyée, en cours de traitement", icon="◷", css="requested"),
        "done": W("Traitée"),
        "emptied": W("Vidée"),
    },
    # What became of a request once none of its lines waits (workflows.decisions).
    "request_summary": {
        "accepted": W("Acceptée", "traitée : acceptée", icon="✓", css="booked"),
        "partly_accepted": W(
            "Partiellement acceptée",
            "traitée : partiellement acceptée",
            icon="◐",
            css="partly",
        ),
        "waiting": W("En liste d'attente", "traitée : en liste d'attente", "◷", "waiting"),
        "refused": W("Refusée", "traitée : refusée", icon="✕", css="refused"),
        "withdrawn": W("Retirée", icon="↺", css="free"),
    },
    "request_line": {
        "draft": W("Au panier", icon="○", css="free"),
        "pending": W("En attente de validation", icon="◷", css="requested"),
        "accepted": W("Acceptée", icon="✓", css="booked"),
        "queued": W("En liste d'attente", icon="◷", css="requested"),
        "refused": W("Refusée", icon="✕", css="refused"),
        "withdrawn": W("Retirée", "retirée par vous", icon="↺", css="free"),
    },
    "enrolment": {
        "requested": W("Demandée"),
        "waiting": W("En liste d'attente"),
        "active": W("Inscrit"),
        "refused": W("Refusée"),
        "ended": W("Terminée"),
        "withdrawn": W("Retirée"),
    },
    "invoice": {
        "draft": W("Brouillon"),
        "issued": W("À payer"),
        "partly_paid": W("Partiellement payée"),
        "paid": W("Payée"),
        "credited": W("Annulée par avoir"),
    },
    "payment": {
        "created": W("Créé", icon="⏳"),
        "pending": W("En attente de validation par la banque", icon="⏳"),
        "validated": W("Validé", icon="✔"),
        "refused": W("Refusé par la banque", icon="✖"),
        "abandoned": W("Abandonné", icon="–"),
    },
    # News, pages, menus and documents (the CONTENT workflow).
    "content": {
        "private": W("Privé", icon="🔒", css="free"),
        "pending": W("En attente de relecture", icon="◷", css="requested"),
        "published": W("Publié", icon="✓", css="booked"),
    },
    "invoicing_run": {
        "queued": W("En file d'attente"),
        "running": W("En cours"),
        "drafted": W("Brouillons prêts"),
        "issuing": W("Émission en cours"),
        "issued": W("Émises"),
        "failed": W("Échec"),
    },
    # An opening of limited places (the OPENING workflow, workflows/openings.py).
    "opening": {
        "draft": W("En préparation"),
        "collecting": W("Demandes ouvertes"),
        "allocated": W("Attribuée (aperçu)"),
        "published": W("Publiée"),
    },
}


def title(group: str, state: str) -> str:
    """A state's title; the state itself when the table does not know it."""
    words = STATES[group].get(state)
    return words.title if words else state


def in_sentence(group: str, state: str) -> str:
    words = STATES[group].get(state)
    return words.in_sentence if words else state


def titles(group: str) -> dict[str, str]:
    """state -> title, in the table's order (a workflow's states, an admin's choices)."""
    return {state: w.title for state, w in STATES[group].items()}


def choices(group: str) -> list[tuple[str, str]]:
    """(state, title) pairs, for Flask-Admin's choices and filters."""
    return list(titles(group).items())


def badges(group: str) -> dict[str, tuple[str, str, str]]:
    """state -> (icon, words, css class), as the parents' screens show it."""
    return {state: (w.icon, w.parent, w.css) for state, w in STATES[group].items()}


def icons(group: str) -> dict[str, str]:
    return {state: w.icon for state, w in STATES[group].items()}
