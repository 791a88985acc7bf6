"""Lines decided per second by the validator (workflows.decisions.sweep, which runs
validate_batch until nothing is pending), against raw set-based UPDATEs of the same rows.

The town's children have each sent their weekly template for the school year (REPAS on
Monday, Tuesday, Thursday and Friday): one sent request per child, its lines pending and
their bookings requested, as workflows.bookings.submit leaves them (written here with
set-based INSERT ... SELECT, to build 1.4 million lines in seconds). The database is then
copied file for file (CREATE DATABASE ... TEMPLATE); the validator runs on one copy, the
baseline on the other, so both start from the same rows:

    UPDATE request_line SET state = 'accepted', decided_at = ... WHERE state = 'pending';
    UPDATE booking SET state = 'booked', updated_at = ... WHERE state = 'requested';
    UPDATE request SET state = 'done', summary = 'accepted' WHERE state = 'sent';

in one transaction. Target: ratio >= 0.5 (about 10,000 lines/s or more).

    python -m bench.validator [--children 10000] [--weeks N] [--batch 5000]
"""

from __future__ import annotations

import datetime as dt
import os

from models import Booking, Request, RequestLine, database, transaction
from workflows.decisions import sweep

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


def baseline(at: dt.datetime) -> tuple[float, int]:
    with Timer() as t, transaction():
        n = database.execute_sql(
            "UPDATE request_line SET state = 'accepted', decided_at = %s WHERE state = 'pending'",
            (at,),
        ).rowcount
        database.execute_sql(
            "UPDATE booking SET state = 'booked', updated_at = %s WHERE state = 'requested'", (at,)
        )
        database.execute_sql(
            "UPDATE request SET state = 'done', summary = 'accepted' WHERE state = 'sent'"
        )
    return t.seconds, n


def main() -> None:
    def extra(p):
        p.add_argument("--batch", type=int, default=5000, help="lines per validate_batch")

    args = parse_args(__doc__.splitlines()[0], extra)
    name = f"bench_validator_{os.getpid()}"
    with throwaway_database(args.server, name, args.keep) as url:
        bind(url)
        bt = build_town(args.children, args.weeks)
        with Timer() as t:
            lines = generate_requests(bt, "pending", "requested", "sent")
        print(f"{lines:,} pending lines written in {t.seconds:.1f} s")
        vacuum_analyze()
        at = bt.now.astimezone(dt.UTC).replace(tzinfo=None)
        copy_url = copy_database(server_of(url), name, name + "_base")
        try:
            bind(copy_url)
            base_s, base_n = baseline(at)
            assert base_n == lines, (base_n, lines)
            database.close()
        finally:
            if not args.keep:
                drop_database(server_of(url), name + "_base")

        bind(url)
        with Timer() as t:
            decided = sweep(args.batch, now=bt.now)
        real_s = t.seconds
        accepted = RequestLine.select().where(RequestLine.state == "accepted").count()
        booked = Booking.select().where(Booking.state == "booked").count()
        done = Request.select().where(Request.state == "done").count()
        assert decided == accepted == booked == lines, (decided, accepted, booked, lines)
        assert done == len(bt.children), done

        rows = [
            (
                "lines decided /s",
                lines / real_s,
                lines / base_s,
                "lines/s",
                (lambda f, b: f / b >= 0.5, ">=0.5"),
            ),
            ("time (s)", real_s, base_s, "s", None),
        ]
        table(
            f"bench.validator: {len(bt.children):,} children x {len(bt.days)} days = "
            f"{lines:,} pending lines, batches of {args.batch}",
            rows,
            notes=[
                "figure: workflows.decisions.sweep (guards, bookings, lines, history, requests)",
                "baseline: 3 set-based UPDATEs (lines, bookings, requests) in one transaction,"
                " on a file copy of the same database",
                f"absolute target: >= 10,000 lines/s: "
                f"{'yes' if lines / real_s >= 10_000 else 'NO'}",
            ],
            machine_line=machine(),
        )


if __name__ == "__main__":
    main()
