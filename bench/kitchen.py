"""The kitchen's counts on a city's year of bookings (PostgreSQL): a week's counts for all
sites (workflows.kitchen.counts) and a day's list of the largest site
(workflows.kitchen.expected_children), each against a raw aggregate SQL of the same
figures in the same run, on the same database.

The town: N children in the two schools, each booked on the weekly template (REPAS on
Monday, Tuesday, Thursday and Friday) for the whole school year, as the validator leaves
them (written with set-based INSERT ... SELECT); one child in five with a meal option, one
in twenty with a PAI. Target: ratio >= 0.5 and under 300 ms each.

    python -m bench.kitchen [--children 40000] [--repeat 20]
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from models import Site, database
from workflows import kitchen

from .common import (
    bind,
    build_town,
    generate_requests,
    machine,
    parse_args,
    table,
    throwaway_database,
    vacuum_analyze,
)

RAW_WEEK = """
SELECT b.date, u.site_id, s.name, u.code, COALESCE(NULLIF(c.meal_option, ''), 'standard'),
       count(*), sum(c.has_pai::int)
FROM booking b JOIN unit u ON u.id = b.unit_id JOIN site s ON s.id = u.site_id
JOIN child c ON c.id = b.child_id
WHERE b.unit_id IN (SELECT u2.id FROM unit u2 JOIN service sv ON sv.id = u2.service_id
                    WHERE sv.town_id = %s AND upper(u2.code) IN ('MERCREDI REPAS', 'PAI', 'REPAS'))
  AND b.date BETWEEN %s AND %s AND b.state IN ('booked', 'cancel_requested')
GROUP BY 1, 2, 3, 4, 5
"""
RAW_DAY = """
SELECT s.name, u.code, c.last_name, c.first_name, c.class_name, c.meal_option, c.has_pai,
       b.state
FROM booking b JOIN unit u ON u.id = b.unit_id JOIN site s ON s.id = u.site_id
JOIN child c ON c.id = b.child_id
WHERE b.unit_id IN (SELECT u2.id FROM unit u2
                    WHERE u2.site_id = %s AND upper(u2.code) IN ('MERCREDI REPAS', 'PAI', 'REPAS'))
  AND b.date = %s AND b.state IN ('booked', 'cancel_requested')
ORDER BY s.name, c.class_name, c.last_name, c.first_name
"""


def _median_ms(fn, repeat: int):
    fn()  # warm: plans, caches
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def main() -> None:
    def extra(p):
        p.add_argument("--repeat", type=int, default=20, help="runs of each measure (median)")

    args = parse_args(__doc__.splitlines()[0], extra)
    name = f"bench_kitchen_{os.getpid()}"
    with throwaway_database(args.server, name, args.keep) as url:
        bind(url)
        bt = build_town(args.children, args.weeks)
        n = generate_requests(bt, "accepted", "booked", "done")
        database.execute_sql(
            "UPDATE child SET meal_option = CASE id %% 3 WHEN 0 THEN 'sans porc' WHEN 1 THEN"
            " 'sans viande' ELSE 'végétarien' END WHERE id %% 5 = 0"
        )
        database.execute_sql("UPDATE child SET has_pai = true WHERE id %% 20 = 7")
        vacuum_analyze()
        print(f"{n:,} bookings")
        town = bt.town.id
        mid = bt.days[len(bt.days) // 2]
        monday, sunday = kitchen.week_of(mid)
        friday = monday + dt.timedelta(days=4)

        week_ms, days = _median_ms(lambda: kitchen.counts(town, monday, friday), args.repeat)
        raw_week_ms, raw = _median_ms(
            lambda: database.execute_sql(RAW_WEEK, (town, monday, friday)).fetchall(), args.repeat
        )
        assert sum(d.total for d in days) == sum(r[5] for r in raw), "the week's totals differ"

        largest = max(
            Site.select().where(Site.town == town),
            key=lambda s: sum(d.total for d in days if d.site_id == s.id),
        )
        day_ms, listed = _median_ms(
            lambda: kitchen.expected_children(town, mid, largest.id), args.repeat
        )
        raw_day_ms, raw_listed = _median_ms(
            lambda: database.execute_sql(RAW_DAY, (largest.id, mid)).fetchall(), args.repeat
        )
        assert len(listed) == len(raw_listed), "the day's lists differ"

        def ok(fig, base):  # runs per second: at least half the raw SQL's, under 300 ms
            return fig / base >= 0.5 and 1000 / fig < 300

        table(
            f"bench.kitchen: {len(bt.children):,} children, {n:,} bookings; week of {monday}"
            f" ({sum(d.total for d in days):,} meals), {mid} at {largest.name}"
            f" ({len(listed):,} children)",
            [
                (
                    "week's counts, all sites /s",
                    1000 / week_ms,
                    1000 / raw_week_ms,
                    "runs/s",
                    (ok, ">=0.5"),
                ),
                ("  median time (ms)", week_ms, raw_week_ms, "ms", None),
                (
                    "day's list, largest site /s",
                    1000 / day_ms,
                    1000 / raw_day_ms,
                    "runs/s",
                    (ok, ">=0.5"),
                ),
                ("  median time (ms)", day_ms, raw_day_ms, "ms", None),
            ],
            notes=[
                "figure: workflows.kitchen (checks, deadlines, the query, rows to values)",
                "baseline: the same aggregate / list as one raw SQL (psycopg2 fetchall)",
                "target: ratio >= 0.5 and under 300 ms",
            ],
            machine_line=machine(),
        )


if __name__ == "__main__":
    main()
