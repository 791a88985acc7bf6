"""One table of French words for every state (workflows.words): the workflows, the portal,
the admin and the e-mails all read it, so a state is called the same everywhere."""

from __future__ import annotations

import pytest

from workflows import definitions, words
from workflows.decisions import SUMMARIES

WORKFLOWS = [
    definitions.BOOKING,
    definitions.REQUEST,
    definitions.INVOICE,
    definitions.PAYMENT,
    definitions.ENROLMENT,
    definitions.REQUEST_LINE,
    definitions.INVOICING_RUN,
]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_each_workflow_takes_its_state_titles_from_the_table(workflow):
    assert workflow.states == words.titles(workflow.name)


def test_the_request_summaries_are_in_the_table_too():
    assert set(words.STATES["request_summary"]) == {s for _, s in SUMMARIES} | {"partly_accepted"}


def test_a_state_inside_a_sentence_and_on_a_parents_screen():
    assert words.title("enrolment", "active") == "Inscrit"
    assert words.in_sentence("request_summary", "partly_accepted") == "partiellement acceptée"
    assert words.badges("request_line")["withdrawn"] == ("↺", "retirée par vous", "free")
    assert words.badges("request_line")["queued"] == ("◷", "en liste d'attente", "requested")
    assert words.title("payment", "unknown") == "unknown"


@pytest.mark.parametrize("group", ["booking", "cell", "request_summary", "request_line"])
def test_every_state_a_parent_sees_has_an_icon(group):
    """The icon makes the state readable without colour."""
    assert all(w.icon for w in words.STATES[group].values())
