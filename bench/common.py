"""What the benchmarks share: a throw-away PostgreSQL database, a town of N children built
with bulk inserts, the school days of a weekly template, and the table they print.

The town is the demo town (workflows.demo.create_town); households, their logins (one
Argon2 hash shared by every account), guardians, children and canteen enrolments are
written with insert_many, so 10,000 children take seconds, not the hours that hashing
10,000 passwords would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg2

from models import (
    Account,
    Child,
    Enrolment,
    Guardian,
    Household,
    Unit,
    bind_database,
    create_schema,
    database,
    transaction,
)
from workflows.calendar import PARIS, unit_runs
from workflows.demo import create_town

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432"
PASSWORD = "bench-famille"
CHUNK = 1000
# Children per household, in turn: 1, 2, 3, 2 (2 on average).
SIZES = (1, 2, 3, 2)
WEEKLY_TEMPLATE = "1245"  # REPAS on Monday, Tuesday, Thursday, Friday


def parse_args(description: str, extra=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--children", type=int, default=10_000, help="children in the town")
    p.add_argument(
        "--weeks",
        type=int,
        default=None,
        help="weeks of the weekly template from 1 September (default: the whole "
        "school year, 1 September to 4 July)",
    )
    p.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG", DEFAULT_SERVER),
        help="PostgreSQL server URL without database name (env BENCH_PG)",
    )
    p.add_argument("--keep", action="store_true", help="keep the bench database(s)")
    if extra:
        extra(p)
    return p.parse_args()


# -- the database -------------------------------------------------------------------------
def _admin(server: str):
    conn = psycopg2.connect(f"{server}/postgres")
    conn.autocommit = True
    return conn


def server_of(url: str) -> str:
    return url.rpartition("/")[0]


@contextmanager
def throwaway_database(server: str, name: str, keep: bool = False):
    """CREATE DATABASE name; yield its URL; DROP it (unless keep). DATABASE_URL, when set
    to a postgres URL, names the server to use instead of `server`."""
    env = os.environ.get("DATABASE_URL", "")
    if env.startswith("postgres"):
        server = server_of(env)
    admin = _admin(server)
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    try:
        yield url
    finally:
        if is_open():
            database.close()
        if keep:
            print(f"(kept database {url})")
        else:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def copy_database(server: str, source: str, target: str) -> str:
    """A file-level copy (CREATE DATABASE ... TEMPLATE): identical rows and layout, so two
    measurements start from the same state. No session may be connected to `source`."""
    if is_open():
        database.close()
    admin = _admin(server)
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    admin.cursor().execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    admin.close()
    return f"{server}/{target}"


def drop_database(server: str, name: str) -> None:
    admin = _admin(server)
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def is_open() -> bool:
    return database.obj is not None and not database.is_closed()


def bind(url: str) -> None:
    if is_open():
        database.close()
    bind_database(url)
    database.connect(reuse_if_open=True)


def vacuum_analyze() -> None:
    database.execute_sql("VACUUM ANALYZE")


# -- the town -----------------------------------------------------------------------------
@dataclass
class BenchTown:
    town: object
    start: dt.date
    end: dt.date
    days: list[dt.date]  # open REPAS days of the weekly template
    # child id -> (household id, REPAS unit id of the child's school)
    children: dict[int, tuple[int, int]] = field(default_factory=dict)
    # household id -> (account id, e-mail)
    accounts: dict[int, tuple[int, str]] = field(default_factory=dict)
    # a moment before the school year, when every deadline is ahead (aware, Paris)
    now: dt.datetime | None = None


def template_days(unit: Unit, zone: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """The days a weekly template of WEEKLY_TEMPLATE days books: open days of the unit."""
    out, d = [], start
    while d <= end:
        if str(d.isoweekday()) in WEEKLY_TEMPLATE and unit_runs(
            unit.weekdays, unit.holiday_unit, zone, d
        ):
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def build_town(
    n_children: int, weeks: int | None = None, today: dt.date | None = None, verbose: bool = True
) -> BenchTown:
    """The demo town and `n_children` children in households of 1 to 3, each child enrolled
    in the canteen of one of the two schools from 1 September to 4 July."""
    from workflows.accounts import hash_password

    t0 = time.perf_counter()
    create_schema()
    with transaction():
        town = create_town(name="Ville de Bench", slug="bench", today=today)
    d = town._demo
    start, end = d["start"], d["end"]
    schools = d["schools"]
    repas = {s.id: Unit.get(Unit.code == "REPAS", Unit.site == s) for s in schools}
    days = template_days(repas[schools[0].id], town.zone, start, end)
    if weeks is not None:
        days = [x for x in days if x < start + dt.timedelta(weeks=weeks)]
    shared_hash = hash_password(PASSWORD)

    sizes, left = [], n_children
    while left > 0:
        n = min(SIZES[len(sizes) % len(SIZES)], left)
        sizes.append(n)
        left -= n
    names = [f"Famille{i:05d}" for i in range(len(sizes))]
    with transaction():
        _insert(
            Household,
            [
                {
                    "town": town.id,
                    "name": name,
                    "qf": 300 + (i * 37) % 1300,
                    "qf_updated": start,
                    "dependent_children": sizes[i],
                    "address": "1 rue des Écoles",
                }
                for i, name in enumerate(names)
            ],
        )
        hh = [
            h
            for (h,) in Household.select(Household.id)
            .where(Household.town == town)
            .order_by(Household.id)
            .tuples()
        ]
        _insert(
            Account,
            [
                {"email": f"famille{i:05d}@bench.fr", "password_hash": shared_hash}
                for i in range(len(hh))
            ],
        )
        acc = dict(
            Account.select(Account.email, Account.id)
            .where(Account.email.endswith("@bench.fr"))
            .tuples()
        )
        _insert(
            Guardian,
            [
                {
                    "household": h,
                    "account": acc[f"famille{i:05d}@bench.fr"],
                    "civility": "Mme",
                    "first_name": "Camille",
                    "last_name": names[i],
                    "email": f"famille{i:05d}@bench.fr",
                    "is_reference": True,
                }
                for i, h in enumerate(hh)
            ],
        )
        _insert(
            Child,
            [
                {
                    "household": h,
                    "first_name": f"Enfant{k}",
                    "last_name": names[i],
                    "birth_date": dt.date(2017, 3, 14),
                    "school": schools[i % 2].name,
                    "class_name": "CE1",
                }
                for i, h in enumerate(hh)
                for k in range(sizes[i])
            ],
        )
        kids = list(
            Child.select(Child.id, Child.household)
            .join(Household)
            .where(Household.town == town)
            .order_by(Child.id)
            .tuples()
        )
        site_of = {h: schools[i % 2].id for i, h in enumerate(hh)}
        _insert(
            Enrolment,
            [
                {
                    "child": c,
                    "service": d["canteen"].id,
                    "site": site_of[h],
                    "start": start,
                    "end": end,
                    "usual_days": WEEKLY_TEMPLATE,
                }
                for c, h in kids
            ],
        )
    bt = BenchTown(town, start, end, days)
    bt.children = {c: (h, repas[site_of[h]].id) for c, h in kids}
    bt.accounts = {
        h: (acc[f"famille{i:05d}@bench.fr"], f"famille{i:05d}@bench.fr") for i, h in enumerate(hh)
    }
    bt.now = dt.datetime.combine(start - dt.timedelta(days=12), dt.time(8, 0), tzinfo=PARIS)
    if verbose:
        print(
            f"town: {len(hh)} households, {len(kids)} children, {len(days)} template days "
            f"({days[0]} to {days[-1]}) -> {len(kids) * len(days):,} lines; "
            f"built in {time.perf_counter() - t0:.1f} s"
        )
    return bt


def _insert(model, rows) -> None:
    for i in range(0, len(rows), CHUNK):
        model.insert_many(rows[i : i + CHUNK]).execute()


def generate_requests(
    bt: BenchTown, line_state: str, booking_state: str, request_state: str = "sent", child_ids=None
) -> int:
    """Every child's weekly template (or that of `child_ids`) as it stands after sending
    (lines `line_state`, their bookings `booking_state`), written on empty tables with three
    set-based INSERT ... SELECT statements: one request per child, one line per template
    day, one booking per line."""
    sent_at = bt.now.astimezone(dt.UTC).replace(tzinfo=None)
    decided = line_state not in ("pending", "draft")
    kids = list(bt.children) if child_ids is None else list(child_ids)
    if not kids:
        return 0
    with transaction():
        database.execute_sql(
            "INSERT INTO request (household_id, child_id, state, summary, created_at, sent_at,"
            " period_start, period_end)"
            " SELECT c.household_id, c.id, %s, %s, %s, %s, %s, %s FROM child c"
            " JOIN household h ON h.id = c.household_id WHERE h.town_id = %s"
            " AND c.id = ANY(%s) ORDER BY c.id",
            (
                request_state,
                "accepted" if request_state == "done" else "",
                sent_at,
                sent_at,
                bt.days[0],
                bt.days[-1],
                bt.town.id,
                kids,
            ),
        )
        database.execute_sql(
            "INSERT INTO request_line (request_id, child_id, unit_id, date, action, state,"
            " sent_at, reason_code, reason, decided_at)"
            " SELECT r.id, r.child_id, u.id, d, 'book', %s, %s, '', '', %s"
            " FROM request r JOIN enrolment e ON e.child_id = r.child_id"
            " JOIN unit u ON u.site_id = e.site_id AND u.service_id = e.service_id"
            " AND u.code = 'REPAS'"
            " CROSS JOIN unnest(%s::date[]) AS d ORDER BY r.id, d",
            (line_state, sent_at, sent_at if decided else None, bt.days),
        )
        cur = database.execute_sql(
            "INSERT INTO booking (child_id, unit_id, date, state, line_id, refusal_code,"
            " refusal_reason, updated_at)"
            " SELECT child_id, unit_id, date, %s, id, '', '', %s FROM request_line ORDER BY id",
            (booking_state, sent_at),
        )
        n = cur.rowcount
    return n


# -- what the benchmarks print -------------------------------------------------------------
def machine() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    pg = database.execute_sql("SHOW server_version").fetchone()[0] if is_open() else "?"
    return (
        f"{os.cpu_count()} CPU ({cpu}), PostgreSQL {pg}, Python {platform.python_version()},"
        f" {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )


def table(title: str, rows: list[tuple], notes: list[str] = (), machine_line: str = "") -> None:
    """rows: (what, figure, baseline, unit, target) with target a (ratio, text) pair."""
    print()
    print(title)
    head = f"{'measure':<34} {'figure':>12} {'baseline':>12} {'ratio':>7} {'target':>8}  ok"
    print(head)
    print("-" * len(head))
    for what, fig, base, unit, target in rows:
        ratio = fig / base if base else float("nan")
        ok = "yes" if target is None or target[0](fig, base) else "NO"
        ttxt = target[1] if target else ""
        print(f"{what:<34} {fmt(fig):>12} {fmt(base):>12} {ratio:>7.2f} {ttxt:>8}  {ok}   ({unit})")
    for n in notes:
        print(f"  {n}")
    if machine_line:
        print(f"  machine: {machine_line}")


def fmt(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
