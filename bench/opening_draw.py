"""An opening's allocation at scale: 5,000 children asking for 20 days each of a summer
centre of 10 units of 200 places (2,000 places a day for 5,000 requests), on PostgreSQL.

Measured: workflows.opening_allocation.allocate (the opening's conditional UPDATE and
history, reading the requests and the places, the draw, the decisions written with one
INSERT per thousand) — its time and its statements — against a raw SQL insert of the same
decisions (psycopg2 execute_values, pages of 1,000) in the same run; with --publish, the publication
too (requests, lines and bookings through the booking workflow, the households' e-mails).

    python -m bench.opening_draw [--children 5000] [--days 20] [--units 10] [--places 200]
                                 [--publish]
"""

from __future__ import annotations

import datetime as dt
import os

from psycopg2.extras import execute_values

from models import Service, Site, Unit, database, transaction
from models.openings import Opening, OpeningDecision, OpeningRequest
from workflows.accounts import actor_for
from workflows.calendar import PARIS
from workflows.opening_allocation import allocate, publish
from workflows.openings import define_opening, open_collecting, open_days

from .common import CHUNK, Timer, bind, build_town, machine, parse_args, table, throwaway_database


class Count:
    """Statements sent through peewee's database while it is on."""

    def __init__(self) -> None:
        self.n = 0
        self.db = database.obj
        self.orig = self.db.execute_sql

    def __enter__(self):
        def counted(sql, params=None, *a, **kw):
            self.n += 1
            return self.orig(sql, params, *a, **kw)

        self.db.execute_sql = counted
        return self

    def __exit__(self, *exc):
        self.db.execute_sql = self.orig


def main() -> None:
    def extra(p):
        p.add_argument("--days", type=int, default=20)
        p.add_argument("--units", type=int, default=10)
        p.add_argument("--places", type=int, default=200)
        p.add_argument(
            "--publish", action="store_true", help="also measure the publication (~40 s more)"
        )

    args = parse_args(__doc__.splitlines()[0], extra)
    if args.children == 10_000:
        args.children = 5_000
    with throwaway_database(args.server, f"bench_opening_{os.getpid()}", args.keep) as url:
        bind(url)
        bt = build_town(args.children, weeks=1)
        town = bt.town
        with transaction():
            service = Service.create(town=town, name="ALSH été")
            site = Site.create(town=town, name="Centre de loisirs")
            units = [
                Unit.create(
                    service=service,
                    site=site,
                    code=f"ETE{i}",
                    label=f"Été {i}",
                    weekdays="12345",
                    approval_mode="staff",
                    capacity=args.places,
                    waiting_list=True,
                    position=100 + i,
                )
                for i in range(args.units)
            ]
        now = dt.datetime(2027, 5, 3, 9, 0, tzinfo=PARIS)
        opening = define_opening(
            town.id,
            service.id,
            [u.id for u in units],
            "Été 2027",
            dt.date(2027, 7, 1),
            dt.date(2027, 8, 31),
            now - dt.timedelta(days=1),
            now + dt.timedelta(days=4),
        )
        open_collecting(opening)
        days = ",".join(d.isoformat() for d in open_days(opening, units[0])[: args.days])
        rows = []
        for i, (child, (household, _)) in enumerate(sorted(bt.children.items())):
            rows.append(
                {
                    "opening": opening.id,
                    "household": household,
                    "child": child,
                    "unit": units[i % len(units)].id,
                    "days": days,
                    "together": i % 3 == 0,
                    "resident": i % 2 == 0,
                    "situation": i % 5 == 0,
                }
            )
        with transaction():
            for i in range(0, len(rows), CHUNK):
                OpeningRequest.insert_many(rows[i : i + CHUNK]).execute()
        database.execute_sql("ANALYZE")
        after = now + dt.timedelta(days=5)
        with Timer() as t, Count() as c:
            n = allocate(opening.id, now=after)
        alloc_s, alloc_n = t.seconds, c.n
        decided = list(
            OpeningDecision.select(
                OpeningDecision.opening,
                OpeningDecision.request,
                OpeningDecision.child,
                OpeningDecision.unit,
                OpeningDecision.date,
                OpeningDecision.outcome,
                OpeningDecision.rule,
                OpeningDecision.rank,
                OpeningDecision.position,
            ).tuples()
        )
        assert len(decided) == n == len(rows) * args.days, (len(decided), n)
        # The baseline: the same decisions, inserted again with raw SQL in one transaction.
        with Timer() as t, transaction():
            cur = database.cursor()
            database.execute_sql("DELETE FROM opening_decision")
            execute_values(
                cur,
                "INSERT INTO opening_decision (opening_id, request_id, child_id, unit_id, date,"
                " outcome, rule, rank, position) VALUES %s",
                decided,
                page_size=CHUNK,
            )
        base_s, base_n = t.seconds, -(-len(decided) // CHUNK) + 1
        admitted = OpeningDecision.select().where(OpeningDecision.outcome == "admitted").count()
        most = database.execute_sql(
            "SELECT MAX(n) FROM (SELECT COUNT(*) n FROM opening_decision WHERE outcome = "
            "'admitted' GROUP BY unit_id, date) x"
        ).fetchone()[0]
        assert most <= args.places, most
        pub_s = pub_n = mails = None
        if args.publish:
            staff = actor_for(_admin(town))
            with Timer() as t, Count() as c:
                mails = publish(Opening.get_by_id(opening.id), staff, now=after)
            pub_s, pub_n = t.seconds, c.n
            booked = database.execute_sql(
                "SELECT COUNT(*) FROM booking WHERE state = 'booked'"
            ).fetchone()[0]
            assert booked == admitted, (booked, admitted)
        table(
            f"bench.opening_draw: {len(rows):,} children x {args.days} days = {n:,} asked "
            f"days, {args.units} units of {args.places} places",
            [
                ("allocation time (s)", alloc_s, base_s, "s", None),
                ("allocation statements", alloc_n, base_n, "statements", None),
            ]
            + (
                [
                    ("publication time (s)", pub_s, None, "s", None),
                    ("publication statements", pub_n, None, "statements", None),
                ]
                if args.publish
                else []
            ),
            notes=[
                f"admitted {admitted:,} days, waiting {n - admitted:,}; e-mails: {mails}; "
                f"busiest day {most} admitted of {args.places}",
                "baseline: the same decision rows, one raw INSERT (execute_values) per 1,000",
            ],
            machine_line=machine(),
        )


def _admin(town):
    from models import Account

    return Account.create(
        email="admin@bench.fr", password_hash="x", is_staff=True, roles="admin", town=town
    )


if __name__ == "__main__":
    main()
