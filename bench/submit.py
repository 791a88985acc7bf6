"""Requests sent per second through workflows.bookings.submit, against a raw insert_many of
the same rows.

Every child of the town sends its weekly template (REPAS on Monday, Tuesday, Thursday and
Friday) for the school year as one request: about 140 lines, 1.4 million for 10,000
children. The baseline writes the same Request row and the same lines with
RequestLine.insert_many in the same chunks of 1,000, one transaction per child, and
nothing else (no checks, no bookings, no history). Target: ratio >= 0.5.

With --measure N, only the last N children send through the timed code; the others'
templates are written first with set-based INSERT ... SELECT, as submit leaves them (lines
pending, bookings requested), so the N requests are timed with the whole town's rows
present, without sending 10,000 requests one by one. The baseline then runs on a file
copy of that database (CREATE DATABASE ... TEMPLATE) for the same N children.

    python -m bench.submit [--children 10000] [--weeks N] [--measure N]
"""

from __future__ import annotations

import datetime as dt
import os
import time

from models import Booking, Request, RequestLine, database, transaction
from workflows.bookings import CHUNK, RequestSpec, submit
from workflows.engine import Actor

from .common import (
    Timer,
    bind,
    build_town,
    copy_database,
    drop_database,
    generate_requests,
    machine,
    parse_args,
    server_of,
    table,
    throwaway_database,
    vacuum_analyze,
)

TRUNCATE = "TRUNCATE workflow_history, booking, request_line, request RESTART IDENTITY"


def baseline(bt, order) -> float:
    sent_at = bt.now.astimezone(dt.UTC).replace(tzinfo=None)
    with Timer() as t:
        for child_id in order:
            household_id, unit_id = bt.children[child_id]
            with transaction():
                rid = Request.insert(
                    household=household_id, child=child_id, state="sent", sent_at=sent_at
                ).execute()
                data = [
                    {
                        "request": rid,
                        "child": child_id,
                        "unit": unit_id,
                        "date": d,
                        "action": "book",
                        "state": "pending",
                        "sent_at": sent_at,
                    }
                    for d in bt.days
                ]
                for i in range(0, len(data), CHUNK):
                    RequestLine.insert_many(data[i : i + CHUNK]).execute()
    return t.seconds


def through_submit(bt, order, deciles: list) -> float:
    actors = {
        h: Actor(account_id=a, household_ids=frozenset({h})) for h, (a, _) in bt.accounts.items()
    }
    step = max(1, len(order) // 10)
    t0 = last = time.perf_counter()
    for n, child_id in enumerate(order, 1):
        household_id, unit_id = bt.children[child_id]
        submit(
            actors[household_id],
            [RequestSpec(child_id, [(unit_id, d, "book") for d in bt.days])],
            now=bt.now,
        )
        if n % step == 0:
            now = time.perf_counter()
            deciles.append(step / (now - last))
            last = now
    return time.perf_counter() - t0


def main() -> None:
    def extra(p):
        p.add_argument(
            "--measure",
            type=int,
            default=None,
            help="children whose request is timed (default: all); the others' "
            "rows are written beforehand in bulk",
        )

    args = parse_args(__doc__.splitlines()[0], extra)
    name = f"bench_submit_{os.getpid()}"
    with throwaway_database(args.server, name, args.keep) as url:
        bind(url)
        bt = build_town(args.children, args.weeks)
        everyone = sorted(bt.children)
        m = len(everyone) if args.measure is None else min(args.measure, len(everyone))
        preload, order = everyone[: len(everyone) - m], everyone[len(everyone) - m :]
        with Timer() as t:
            pre = generate_requests(bt, "pending", "requested", "sent", preload)
        if preload:
            print(
                f"{pre:,} lines of {len(preload):,} children written first in "
                f"{t.seconds:.1f} s; {len(order):,} children timed"
            )
        vacuum_analyze()
        lines = len(order) * len(bt.days)
        total = pre + lines

        if preload:
            copy_url = copy_database(server_of(url), name, name + "_base")
            try:
                bind(copy_url)
                base_s = baseline(bt, order)
                assert RequestLine.select().count() == total
                database.close()
            finally:
                if not args.keep:
                    drop_database(server_of(url), name + "_base")
            bind(url)
        else:
            base_s = baseline(bt, order)
            assert RequestLine.select().count() == lines
            database.execute_sql(TRUNCATE)
            vacuum_analyze()

        deciles: list[float] = []
        real_s = through_submit(bt, order, deciles)
        pending = RequestLine.select().where(RequestLine.state == "pending").count()
        requested = Booking.select().where(Booking.state == "requested").count()
        sent = Request.select().where(Request.state == "sent").count()
        assert (pending, requested, sent) == (total, total, len(everyone)), (
            pending,
            requested,
            sent,
        )

        n = len(order)
        rows = [
            (
                "requests sent /s",
                n / real_s,
                n / base_s,
                "requests/s",
                (lambda f, b: f / b >= 0.5, ">=0.5"),
            ),
            ("lines sent /s", lines / real_s, lines / base_s, "lines/s", None),
            ("time (s)", real_s, base_s, "s", None),
        ]
        table(
            f"bench.submit: {n:,} children x {len(bt.days)} days = {lines:,} lines "
            f"(one request per child), {total:,} lines in the end",
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
