"""Requests sent per second through workflows.bookings.submit, against a raw insert_many of
the same rows.

Every child of the town sends its weekly template (REPAS on Monday, Tuesday, Thursday and
Friday) for the school year as one request: about 140 lines, 1.4 million for 10,000
children. The baseline writes the same Request row and the same lines with
RequestLine.insert_many in the same chunks of 1,000, one transaction per child, and
nothing else (no checks, no bookings, no history). Target: ratio >= 0.5.

    python -m bench.submit [--children 10000] [--weeks N]
"""

from __future__ import annotations

import datetime as dt
import os
import time

from models import Booking, Request, RequestLine, database, transaction
from workflows.bookings import CHUNK, RequestSpec, submit
from workflows.engine import Actor

from .common import Timer, build_town, machine, parse_args, table, throwaway_database, \
    vacuum_analyze, bind

TRUNCATE = "TRUNCATE workflow_history, booking, request_line, request RESTART IDENTITY"


def baseline(bt, order) -> float:
    sent_at = bt.now.astimezone(dt.UTC).replace(tzinfo=None)
    with Timer() as t:
        for child_id in order:
            household_id, unit_id = bt.children[child_id]
            with transaction():
                rid = Request.insert(household=household_id, child=child_id, state="sent",
                                     sent_at=sent_at).execute()
                data = [
                    {"request": rid, "child": child_id, "unit": unit_id, "date": d,
                     "action": "book", "state": "pending", "sent_at": sent_at}
                    for d in bt.days
                ]
                for i in range(0, len(data), CHUNK):
                    RequestLine.insert_many(data[i : i + CHUNK]).execute()
    return t.seconds


def through_submit(bt, order, deciles: list) -> float:
    actors = {h: Actor(account_id=a, household_ids=frozenset({h}))
              for h, (a, _) in bt.accounts.items()}
    step = max(1, len(order) // 10)
    t0 = last = time.perf_counter()
    for n, child_id in enumerate(order, 1):
        household_id, unit_id = bt.children[child_id]
        submit(actors[household_id],
               [RequestSpec(child_id, [(unit_id, d, "book") for d in bt.days])], now=bt.now)
        if n % step == 0:
            now = time.perf_counter()
            deciles.append(step / (now - last))
            last = now
    return time.perf_counter() - t0


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    with throwaway_database(args.server, f"bench_submit_{os.getpid()}", args.keep) as url:
        bind(url)
        bt = build_town(args.children, args.weeks)
        vacuum_analyze()
        order = sorted(bt.children)
        lines = len(order) * len(bt.days)

        base_s = baseline(bt, order)
        assert RequestLine.select().count() == lines
        database.execute_sql(TRUNCATE)
        vacuum_analyze()

        deciles: list[float] = []
        real_s = through_submit(bt, order, deciles)
        pending = RequestLine.select().where(RequestLine.state == "pending").count()
        requested = Booking.select().where(Booking.state == "requested").count()
        sent = Request.select().where(Request.state == "sent").count()
        assert (pending, requested, sent) == (lines, lines, len(order)), (pending, requested, sent)

        n = len(order)
        rows = [
            ("requests sent /s", n / real_s, n / base_s, "requests/s",
             (lambda f, b: f / b >= 0.5, ">=0.5")),
            ("lines sent /s", lines / real_s, lines / base_s, "lines/s", None),
            ("time (s)", real_s, base_s, "s", None),
        ]
        table(
            f"bench.submit: {n:,} children x {len(bt.days)} days = {lines:,} lines "
            "(one request per child)",
            rows,
            notes=[
                "figure: workflows.bookings.submit (checks, request, lines, bookings, history)",
                "baseline: Request.insert + RequestLine.insert_many in chunks of "
                f"{CHUNK}, one transaction per child",
                "submit rate by tenth of the run (requests/s): "
                + " ".join(f"{x:.0f}" for x in deciles),
            ],
            machine_line=machine(),
        )


if __name__ == "__main__":
    main()
