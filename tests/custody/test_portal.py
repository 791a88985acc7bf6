"""The second home's pages: the weekly template and "Appliquer aussi à" keep to its own
days of the shared child; the basket sends them for its household."""

from __future__ import annotations

import html

from models import Request, RequestLine
from tests import factories as f
from workflows import basket

from ..forms import csrf
from .helpers import days_of, monday_of, shared_child


def test_the_weekly_template_keeps_to_the_households_own_days(auth, app):
    town = f.town()
    days = f.open_days(n=12)
    start = monday_of(days[0])
    martin, durand, lea = shared_child(town, start=start)
    repas = f.unit(town).id
    client = auth.parent(durand)
    planning = f"/enfants/{lea.id}/planning"
    resp = client.post(
        f"/enfants/{lea.id}/semaine-type",
        data={
            "csrf_token": csrf(client, planning),
            "start": days[0].isoformat(),
            "end": days[-1].isoformat(),
            "action": "book",
            f"j-{repas}": ["1", "2", "4", "5"],
        },
        follow_redirects=True,
    )
    text = html.unescape(resp.get_data(as_text=True))
    theirs = days_of(durand, martin, durand, days, start)
    assert f"{len(theirs)} jours ajoutés au panier." in text
    assert "c'est à lui de réserver" not in text  # no refused line: only its own days
    lines = basket.basket_lines(durand.id)
    assert sorted(line.date for line in lines) == theirs
    assert basket.basket_lines(martin.id) == []
    # sent from the basket: the request is Durand's
    resp = client.post(
        "/panier/confirmer", data={"csrf_token": csrf(client, "/panier")}, follow_redirects=True
    )
    assert resp.status_code == 200
    (req,) = Request.select().where(Request.state == "sent")
    assert req.household_id == durand.id
    assert RequestLine.select().where(RequestLine.request == req).count() == len(theirs)
