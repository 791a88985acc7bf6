"""A PAI's allergens are health data: in the household's export, and gone when it is
anonymised."""

from __future__ import annotations

import datetime as dt

from models import Child, Enrolment
from models.content import ChildAllergen
from workflows import privacy

from .. import factories as f


def test_pai_allergens_are_exported_and_anonymised(app):
    town = f.town()
    h = f.household(town, children=("Hugo",))
    hugo = h.children[0]
    ChildAllergen.create(child=hugo.id, allergen="peanuts")
    keep = f.household(town, name="Durand", children=("Zoé",)).children[0]
    ChildAllergen.create(child=keep.id, allergen="milk")
    data = privacy.export_household(h, f.account(h))
    assert data["children"][0]["pai_allergens"] == ["peanuts"]
    Enrolment.update(state="ended", end=dt.date.today() - dt.timedelta(days=1)).where(
        Enrolment.child.in_(Child.select(Child.id).where(Child.household == h.id))
    ).execute()
    privacy.anonymise_household(h, None)
    assert [(a.child_id, a.allergen) for a in ChildAllergen.select()] == [(keep.id, "milk")]
