"""Recompute an opening's draw order from its revealed seed and its published request list.

    python tools/verify_draw.py SEED requests.json [--rules enrolled,resident,siblings,situation]

requests.json: a list of {"number", "household", "together", "enrolled", "resident",
"situation"} (the opening's public page publishes it once the allocation is published).
Prints the groups in the order they took their places: position, group, draw key. Checks the
seed against `--hash` (the SHA-256 shown while requests were collected) when given.

The procedure (workflows/draw.py, README "A fair opening"): a household's children asked
"together" (two or more) form one group H<household>; every other request is a group
R<number>; a group's draw key is SHA-256(seed + ":" + group) in lowercase hex; groups are
sorted by their priorities (for each rule in order, meeting it comes first; "siblings" is
met by a group of siblings together, another rule when one of the group's children meets
it), then by draw key. Standard library only."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict


def order(seed: str, requests: list[dict], rules: list[str]) -> list[tuple[str, str]]:
    together = Counter(r["household"] for r in requests if r.get("together"))
    groups = defaultdict(list)
    for r in sorted(requests, key=lambda r: r["number"]):
        many = r.get("together") and together[r["household"]] > 1
        groups[f"H{r['household']}" if many else f"R{r['number']}"].append(r)

    def meets(rule, members):
        return len(members) > 1 if rule == "siblings" else any(m.get(rule) for m in members)

    def key(name):
        members = groups[name]
        digest = hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()
        return (tuple(0 if meets(r, members) else 1 for r in rules), digest)

    return [(g, key(g)[1]) for g in sorted(groups, key=key)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("seed")
    p.add_argument("requests")
    p.add_argument("--rules", default="enrolled,resident,siblings,situation")
    p.add_argument("--hash", default="")
    a = p.parse_args(argv)
    if a.hash and hashlib.sha256(a.seed.encode()).hexdigest() != a.hash.lower():
        print("the seed does not match the published hash", file=sys.stderr)
        return 1
    with open(a.requests, encoding="utf-8") as fh:
        requests = json.load(fh)
    for position, (group, digest) in enumerate(order(a.seed, requests, a.rules.split(",")), 1):
        print(f"{position}\t{group}\t{digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
