"""The opening's pages as people use them: the parents' form during the window, the public
page with the seed's hash, the staff's preview and publication."""

from __future__ import annotations

import datetime as dt
import html

from models import OutgoingMail
from models.openings import Opening, OpeningRequest
from workflows.calendar import PARIS, to_utc_naive
from workflows.opening_demo import summer_opening

from .. import factories as f
from ..forms import post_form

WINDOW = (
    "Demandes ouvertes jusqu'au vendredi 18 h ; les places seront attribuées le vendredi à "
    "18 h 30 ; l'ordre d'arrivée ne compte pas"
)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def close_now(opening):
    """The window closed a minute ago (the clock moved on)."""
    past = to_utc_naive(dt.datetime.now(PARIS) - dt.timedelta(minutes=1))
    Opening.update(closes_at=past).where(Opening.id == opening.id).execute()


def test_parent_asks_then_sees_the_outcome(auth, town, centre):
    opening = summer_opening(town, centre[1])
    h = f.household(town, "Petit", children=("Léa", "Hugo"))
    parent = auth.parent(h)
    page = text(parent.get(f"/ouvertures/{opening.id}/demande"))
    assert WINDOW in page
    assert "Garder mes enfants ensemble" in page
    lea, hugo = sorted(h.children, key=lambda c: c.first_name)[::-1]
    form = {
        f"days-{lea.id}": ["2027-07-06", "2027-07-07"],
        f"days-{hugo.id}": ["2027-07-06"],
        "together": "1",
    }
    r = post_form(parent, f"/ouvertures/{opening.id}/demande", form, follow_redirects=True)
    said = text(r)
    assert "Demande enregistrée" in said and "demande n°" in said
    # changed mind: one request per child, the last word wins
    form[f"days-{lea.id}"] = ["2027-07-08"]
    post_form(parent, f"/ouvertures/{opening.id}/demande", form)
    assert OpeningRequest.select().count() == 2
    assert OpeningRequest.get(OpeningRequest.child == lea.id).days == "2027-07-08"

    public = text(parent.get(f"/ouvertures/{opening.id}"))
    assert Opening.get_by_id(opening.id).seed_hash in public
    assert Opening.get_by_id(opening.id).seed not in public  # not before the draw

    close_now(opening)
    late = post_form(
        parent,
        f"/ouvertures/{opening.id}/demande",
        form,
        follow_redirects=True,
    )
    assert "Les demandes sont closes depuis le" in text(late)

    admin = auth.admin(town)
    assert admin.get("/admin/ouvertures/").status_code == 200
    url = f"/admin/ouvertures/apercu/{opening.id}"
    post_form(admin, url, {"action": "allocate"})
    preview = text(admin.get(url))
    assert "Aperçu de l'attribution" in preview and "Place attribuée" in preview
    assert "Tirage recalculé à l'instant : résultat identique." in preview
    post_form(admin, url, {"action": "publish"})
    assert Opening.get_by_id(opening.id).state == "published"
    (mail,) = OutgoingMail.select().where(OutgoingMail.kind == "opening_published")
    assert "Léa (demande n°" in mail.text and "Hugo (demande n°" in mail.text

    outcome = text(parent.get(f"/ouvertures/{opening.id}/demande"))
    assert "place attribuée" in outcome
    public = text(parent.get(f"/ouvertures/{opening.id}"))
    assert Opening.get_by_id(opening.id).seed in public and 'id="figures"' in public


def test_preview_and_publish_are_for_admins(auth, town, centre):
    opening = summer_opening(town, centre[1])
    approver = auth.approver(town)
    assert approver.get(f"/admin/ouvertures/apercu/{opening.id}").status_code == 403
    assert auth.parent(f.household(town)).get("/admin/ouvertures/").status_code == 403


def test_staff_define_an_opening_with_rules_in_their_order(auth, town, centre):
    service, unit = centre
    admin = auth.admin(town)
    form = {
        "label": "Mercredis de janvier",
        "service": str(service.id),
        "start": "2027-01-06",
        "end": "2027-01-27",
        "opens_at": "2026-12-07 08:30:00",
        "closes_at": "2026-12-11 18:00:00",
        "announce_at": "2026-12-11 18:30:00",
        "rule_1": "siblings",
        "rule_2": "resident",
        "rule_3": "",
        "rule_4": "",
    }
    r = post_form(admin, "/admin/ouvertures/new/", form)
    assert r.status_code == 302, text(r)
    opening = Opening.get(Opening.label == "Mercredis de janvier")
    assert opening.town_id == town.id and opening.state == "draft"
    assert opening.rule_list == ["siblings", "resident"]
    assert opening.opens_at == dt.datetime(2026, 12, 7, 7, 30)  # Paris time, stored in UTC
    assert [ou.unit_id for ou in opening.units] == [unit.id]
    url = f"/admin/ouvertures/apercu/{opening.id}"
    post_form(admin, url, {"action": "open"})
    opening = Opening.get_by_id(opening.id)
    assert opening.state == "collecting" and opening.seed_hash in text(admin.get(url))
