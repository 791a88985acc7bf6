"""The deadline reminders' job (workflows.reminders.remind: the candidate cells, the
set-based selection of the children with nothing booked, the claims and the e-mails written
to the outbox) for a town of N children, against one raw SQL of the same selection in the
same run.

The town (bench.common.build_town: every child enrolled in the canteen, REPAS on Monday,
Tuesday, Thursday and Friday) is looked at 1 h before the REPAS deadline of a Monday in
October (window: the town's default 48 h); every other child has booked the four weeks around
(accepted bookings, written set-based), the others are to be reminded. The baseline is one
SELECT over the same (unit, day) cells; the job's figure also claims its rows and renders
and writes its e-mails, so the ratio is the price of the whole job over the bare query.

    python -m bench.reminders [--children 40000]
"""

from __future__ import annotations

import datetime as dt
import os

from models import OutgoingMail, database
from models.reminders import ReminderSent
from workflows import reminders

from .common import (
    Timer,
    bind,
    build_town,
    generate_requests,
    machine,
    parse_args,
    table,
    throwaway_database,
    vacuum_analyze,
)

RAW = """
SELECT DISTINCT c.household_id, c.id, u.id, d.day
FROM (VALUES {cells}) AS d(unit_id, day)
JOIN unit u ON u.id = d.unit_id
JOIN enrolment e ON e.service_id = u.service_id AND e.site_id = u.site_id
  AND e.state = 'active' AND e.start <= d.day AND e."end" >= d.day
  AND (e.usual_days = '' OR strpos(e.usual_days, extract(isodow FROM d.day)::int::text) > 0)
JOIN child c ON c.id = e.child_id
JOIN household h ON h.id = c.household_id AND h.reminders
WHERE NOT EXISTS (
  SELECT 1 FROM booking b JOIN unit o ON o.id = b.unit_id
  WHERE b.child_id = c.id AND b.date = d.day AND b.state IN ({holding})
    AND (o.id = u.id OR (u.exclusive_group <> '' AND o.exclusive_group = u.exclusive_group
                          AND o.site_id = u.site_id)))
"""


def raw_selection(cells) -> int:
    values = ", ".join(f"({u}, DATE '{d.isoformat()}')" for u, d in cells)
    holding = ", ".join(f"'{s}'" for s in reminders.HELD)
    return len(database.execute_sql(RAW.format(cells=values, holding=holding)).fetchall())


def a_monday(bt) -> dt.date:
    """The first Monday of the template from 5 October on."""
    return next(d for d in bt.days if d.isoweekday() == 1 and d >= dt.date(bt.start.year, 10, 5))


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    name = f"bench_reminders_{os.getpid()}"
    with throwaway_database(args.server, name, args.keep) as url:
        bind(url)
        bt = build_town(args.children, args.weeks)
        kids = sorted(bt.children)
        monday = a_monday(bt)
        # the bookings around that week only: what the selection reads, in seconds
        bt.days = [d for d in bt.days if abs((d - monday).days) <= 14]
        with Timer() as t:
            booked = generate_requests(bt, "accepted", "booked", "done", child_ids=kids[::2])
        print(f"{booked:,} bookings of every other child written in {t.seconds:.1f} s")
        vacuum_analyze()
        unit = reminders.unit_infos().get(next(iter(bt.children.values()))[1])
        now = unit.book_deadline.for_day(monday) - dt.timedelta(hours=1)
        with Timer() as t_raw:
            cells = reminders.candidate_cells(now)
            raw_rows = raw_selection(cells)
        with Timer() as t_sel:
            rows = list(reminders.unbooked(reminders.candidate_cells(now)))
        assert len(rows) == raw_rows, (len(rows), raw_rows)
        with Timer() as t_job:
            written = reminders.remind("https://portail.example.fr", now=now)
        claims = ReminderSent.select().count()
        assert written == claims == OutgoingMail.select().count(), (written, claims)
        with Timer() as t_again:
            again = reminders.remind("https://portail.example.fr", now=now)
        assert again == 0
        table(
            f"bench.reminders: {len(bt.children):,} children, {len(cells)} (unit, day) cells "
            f"whose deadline closes within 48 h of {now:%Y-%m-%d %H:%M}, "
            f"{raw_rows:,} child-days unbooked",
            [
                ("selection (s)", t_sel.seconds, t_raw.seconds, "s", None),
                (
                    "whole job (s)",
                    t_job.seconds,
                    t_raw.seconds,
                    "s",
                    (lambda f, b: f < 10, "<10 s"),
                ),
                ("run again, all claimed (s)", t_again.seconds, t_raw.seconds, "s", None),
                ("e-mails written", written, written, "mails", None),
            ],
            notes=[
                "figure: workflows.reminders (candidate cells, one query per day, claims,"
                " e-mails rendered and written to the outbox)",
                "baseline: one raw SELECT of the same child-days (VALUES of the same cells)",
            ],
            machine_line=machine(),
        )


if __name__ == "__main__":
    main()
