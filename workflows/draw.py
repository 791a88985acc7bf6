"""The allocation of an opening's places: the town's priorities first, then a reproducible
draw. A pure function: the same seed and the same requests give the same decisions.

The draw's procedure (README, "A fair opening"; tools/verify_draw.py recomputes it):
requests are grouped (a household's children asked "together", when it has two or more
such, are one group `H<household id>`; every other request is its own group `R<request
number>`); each group's draw key is SHA-256(seed + ":" + group), as lowercase hex; groups
are ordered by their priorities (for each of the town's rules in its order, a group that
meets it comes before one that does not; a group meets a rule when one of its children
does, "siblings" being met by a group of siblings together), then by draw key. In that
order each group takes its places: a child alone gets every asked day with a place left
and waits for the others; siblings together get all their days or none. Those not admitted
wait on each day's list in that order."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

DRAW = "draw"
PLACES = "places"  # the day had a place for every request
FULL = "full"
SIBLINGS = "siblings_all_or_nothing"


@dataclass(frozen=True)
class Ask:
    request_id: int
    household_id: int
    child_id: int
    unit_id: int
    days: tuple[dt.date, ...]
    together: bool = False
    enrolled: bool = False
    resident: bool = False
    situation: bool = False


@dataclass(frozen=True)
class Decision:
    request_id: int
    child_id: int
    unit_id: int
    date: dt.date
    outcome: str  # admitted, waiting
    rule: str  # what decided it: a rule, "draw", "places", "full", SIBLINGS
    rank: int | None  # on the day's waiting list, from 1
    position: int  # the group's place in the order, from 1


def draw_key(seed: str, group: str) -> str:
    return hashlib.sha256(f"{seed}:{group}".encode()).hexdigest()


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def groups(asks: Iterable[Ask]) -> dict[str, list[Ask]]:
    """group name -> its requests, as the procedure says."""
    asks = list(asks)
    together = Counter(a.household_id for a in asks if a.together)
    out: dict[str, list[Ask]] = defaultdict(list)
    for a in sorted(asks, key=lambda a: a.request_id):
        name = f"H{a.household_id}" if a.together and together[a.household_id] > 1 else None
        out[name or f"R{a.request_id}"].append(a)
    return dict(out)


def meets(rule: str, members: list[Ask]) -> bool:
    if rule == "siblings":
        return len(members) > 1
    return any(getattr(a, rule) for a in members)


def order(seed: str, asks: Iterable[Ask], rules: list[str]) -> list[tuple[str, list[Ask]]]:
    """The groups in the order they take their places."""
    gs = groups(asks)

    def key(name: str):
        members = gs[name]
        return (tuple(0 if meets(r, members) else 1 for r in rules), draw_key(seed, name))

    return [(name, gs[name]) for name in sorted(gs, key=key)]


def allocate(
    seed: str,
    asks: Iterable[Ask],
    rules: list[str],
    places: dict[tuple[int, dt.date], int],
    ranks_from: dict[tuple[int, dt.date], int] | None = None,
) -> list[Decision]:
    """Every asked day of every request decided. `places`: (unit, day) -> places left (the
    unit's capacity less what is already taken); `ranks_from`: the last rank already on a
    day's waiting list."""
    asks = list(asks)
    left = dict(places)
    demand = Counter((a.unit_id, d) for a in asks for d in set(a.days))
    crowded = {k for k, n in demand.items() if n > places.get(k, 0)}
    rank = Counter(ranks_from or {})
    out: list[Decision] = []
    for position, (_name, members) in enumerate(order(seed, asks, rules), start=1):
        priority = next((r for r in rules if meets(r, members)), DRAW)
        needs = Counter((a.unit_id, d) for a in members for d in set(a.days))
        fits_all = all(left.get(k, 0) >= n for k, n in needs.items())
        for a in members:
            for d in sorted(set(a.days)):
                k = (a.unit_id, d)
                admit = fits_all if len(members) > 1 else left.get(k, 0) > 0
                if admit:
                    left[k] -= 1
                    rule = priority if k in crowded else PLACES
                    out.append(
                        Decision(
                            a.request_id, a.child_id, a.unit_id, d, "admitted", rule, None, position
                        )
                    )
                else:
                    rank[k] += 1
                    why = SIBLINGS if len(members) > 1 and left.get(k, 0) >= needs[k] else FULL
                    out.append(
                        Decision(
                            a.request_id,
                            a.child_id,
                            a.unit_id,
                            d,
                            "waiting",
                            why,
                            rank[k],
                            position,
                        )
                    )
    return out
