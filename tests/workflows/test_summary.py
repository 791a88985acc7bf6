import datetime as dt
import itertools

from models import Request, RequestLine, WorkflowHistory, transaction
from workflows.decisions import complete_requests

from .. import factories as f

DECIDED = ("accepted", "refused", "queued")


def expected(states: set[str]) -> str:
    """The summary rule of shared/spec/WORKFLOWS.md, written out case by case."""
    a, r, q = ("accepted" in states, "refused" in states, "queued" in states)
    if not a and not r and not q:
        return "withdrawn"
    if not r and not q:
        return "accepted"
    if not a and not q:
        return "refused"
    if not a and not r:
        return "waiting"
    return "partly_accepted"


def test_a_request_is_done_with_the_summary_of_its_decided_lines(app):
    town = f.town()
    h = f.household(town)
    child = h.children[0]
    repas = f.unit(town)
    day = dt.date(2026, 12, 7)
    cases = {}  # request id -> (states of its lines, still pending?)
    combos = [set(c) for n in range(len(DECIDED) + 1) for c in itertools.combinations(DECIDED, n)]
    for states in combos:
        for extra in ((), ("withdrawn",), ("pending",)):
            lines = sorted(states) + list(extra)
            rid = Request.create(household=h.id, child=child.id, state="sent").id
            for k, state in enumerate(lines):
                RequestLine.create(
                    request=rid,
                    child=child.id,
                    unit=repas.id,
                    date=day + dt.timedelta(days=k),
                    action="book",
                    state=state,
                )
            cases[rid] = (set(lines), "pending" in extra)
    empty = Request.create(household=h.id, child=child.id, state="sent").id
    cases[empty] = (set(), False)
    with transaction():
        done = complete_requests(list(cases))
    assert done == sum(1 for _, pending in cases.values() if not pending)
    for rid, (states, pending) in cases.items():
        req = Request.get_by_id(rid)
        if pending:
            assert (req.state, req.summary) == ("sent", ""), states
        else:
            assert (req.state, req.summary) == ("done", expected(states)), states
    assert WorkflowHistory.select().where(WorkflowHistory.workflow == "request").count() == done
