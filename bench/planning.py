"""A child's month planning under a real WSGI server (gunicorn, 2 workers), with a town's
year of bookings present: requests per second and p50/p95 latency of the API
(/api/v1/children/<id>/planning) and, when the portal has one, of the HTML month page,
against a bare endpoint that runs the same query (bench/bare.py).

Every child of the town has its weekly template for the school year booked (about 1.4
million bookings for 10,000 children, written with set-based INSERT ... SELECT). The
client logs in as a sample of households first (bearer tokens for the API, a session
cookie for the page), then asks for the month of a child of theirs, in turn, from
`--concurrency` threads over keep-alive-capable http.client connections to 127.0.0.1.
The page is found in the app's URL map (a GET rule with "planning" and <child_id> outside
/api, asked for with ?vue=mois&date=<first day>); without one, only the API is measured.
Both servers get the app's connection policy: one connection per request, or with --pool
a postgresql+pool:// URL (connections kept open), for the app and the baseline alike.
Target: ratio >= 0.7 and p95 <= 100 ms.

    python -m bench.planning [--children 10000] [--requests 600] [--concurrency 2] [--pool]
"""

from __future__ import annotations

import calendar
import datetime as dt
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from .common import (
    PASSWORD,
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

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn -w N serving `target` on a free port of 127.0.0.1, stopped by its pid."""

    def __init__(self, target: str, env: dict, workers: int, log: Path) -> None:
        self.port = free_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(
            [gunicorn, "-w", str(workers), "-b", f"{HOST}:{self.port}", "--timeout", "60", target],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.proc.pid
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn {target} exited; see {log}")
            try:
                socket.create_connection((HOST, self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start; see {log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def call(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        conn.close()


def api_token(port: int, email: str) -> str:
    status, _, body = call(
        port,
        "POST",
        "/api/v1/auth/token",
        json.dumps({"email": email, "password": PASSWORD}),
        {"Content-Type": "application/json"},
    )
    if status != 200:
        raise RuntimeError(f"token for {email}: {status} {body[:200]!r}")
    return json.loads(body)["access_token"]


def session_cookie(port: int, email: str) -> str:
    """Log in through /connexion (CSRF token from the form) and return the Cookie header."""
    status, headers, body = call(port, "GET", "/connexion")
    cookies = _cookies(headers)
    m = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', body
    )
    form = {"email": email, "password": PASSWORD}
    if m:
        form["csrf_token"] = m.group(1).decode()
    status, headers, body = call(
        port,
        "POST",
        "/connexion",
        urllib.parse.urlencode(form),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies},
    )
    if status != 302:
        raise RuntimeError(f"login of {email}: {status}")
    return _cookies(headers) or cookies


def _cookies(headers) -> str:
    return "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")


# -- where the time goes: CPU seconds of the server's processes and of PostgreSQL's ------------
def _cpu(pid: int, reaped: bool = False) -> float:
    """User + system CPU seconds of a process (and of its children already reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(x) for x in fields[11 : 15 if reaped else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def _family_cpu(pid: int) -> float:
    """CPU seconds of a process tree: the parent, its reaped children, its live children."""
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        kids = []
    return _cpu(pid, reaped=True) + sum(_cpu(int(k)) for k in kids)


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's pid when it runs on this machine and its files are readable
    (every backend is its child: a per-request connection's CPU ends up in its total)."""
    import psycopg2

    try:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SHOW data_directory")
            directory = cur.fetchone()[0]
        conn.close()
        return int(Path(directory, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, psycopg2.Error):
        return None


def load(
    port: int,
    requests: list[tuple[str, dict]],
    total: int,
    concurrency: int,
    max_seconds: float,
    warmup: int = 20,
    pids: tuple[int | None, int | None] = (None, None),
) -> dict:
    """Send `total` GETs (cycling through `requests`) from `concurrency` threads, each on
    its own connection (reopened when the server closes it). Returns rate and latencies,
    and with `pids` (server, PostgreSQL) the CPU milliseconds each spent per request."""
    for path, headers in requests[:warmup]:
        status, _, _ = call(port, "GET", path, headers=headers)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
    cpu0 = [_family_cpu(p) if p else 0.0 for p in pids]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))
    stop_at = time.perf_counter() + max_seconds

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.perf_counter() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            path, headers = requests[i % len(requests)]
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                ok, r = False, e
            dt_ = time.perf_counter() - t0
            with lock:
                if ok:
                    latencies.append(dt_)
                else:
                    errors.append(str(getattr(r, "status", r)))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    time.sleep(0.3)  # let the last backends exit and be reaped
    done = max(1, len(latencies))
    cpu = [
        (_family_cpu(p) - c) * 1000 / done if p else None for p, c in zip(pids, cpu0, strict=True)
    ]
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [float("nan")] * 99
    return {
        "n": len(lat),
        "errors": len(errors),
        "rps": len(lat) / elapsed,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "elapsed": elapsed,
        "cpu_server": cpu[0],
        "cpu_pg": cpu[1],
    }


def html_planning_rule(env: dict) -> str | None:
    """The portal's planning page for one child, if the portal has one yet."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        from app import create_app

        app = create_app()
        for rule in app.url_map.iter_rules():
            if (
                "planning" in rule.rule
                and not rule.rule.startswith("/api")
                and not rule.rule.endswith(".json")
                and "GET" in rule.methods
                and "child_id" in rule.arguments
            ):
                return rule.rule
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return None


def month_of(bt) -> tuple[dt.date, dt.date]:
    today = dt.date.today()
    day = today if bt.start <= today <= bt.end else dt.date(bt.start.year, 10, 1)
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def main() -> None:
    def extra(p):
        p.add_argument("--requests", type=int, default=600, help="requests per endpoint (>=500)")
        p.add_argument("--concurrency", type=int, default=2, help="client threads")
        p.add_argument("--households", type=int, default=40, help="households logged in")
        p.add_argument("--max-seconds", type=float, default=120, help="time bound per endpoint")
        p.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        p.add_argument(
            "--pool",
            action="store_true",
            help="serve with DATABASE_URL=postgresql+pool://... (peewee's pool: "
            "connections kept open across requests), app and baseline alike",
        )

    args = parse_args(__doc__.splitlines()[0], extra)
    with throwaway_database(args.server, f"bench_planning_{os.getpid()}", args.keep) as url:
        bind(url)
        bt = build_town(args.children, args.weeks)
        with Timer() as t:
            n = generate_requests(bt, "accepted", "booked", "done")
        print(f"{n:,} bookings written in {t.seconds:.1f} s")
        vacuum_analyze()
        machine_line = machine()
        from models import database

        database.close()

        first, last = month_of(bt)
        households = sorted(bt.accounts)
        step = max(1, len(households) // args.households)
        sample = households[::step][: args.households]
        kids = {h: [c for c, (hh, _) in bt.children.items() if hh == h] for h in sample}
        span = f"from={first.isoformat()}&to={last.isoformat()}"

        tmp = Path(tempfile.mkdtemp(prefix="bench-planning-"))
        served = url.replace("postgresql://", "postgresql+pool://", 1) if args.pool else url
        pg = postmaster_pid(url)
        env = {
            "DATABASE_URL": served,
            "PORTAIL_CONFIG": "development",
            "REDIS_URL": "redis://127.0.0.1:6379/9",
            "PORTAIL_INSTANCE": str(tmp),
        }
        page_rule = html_planning_rule(env)
        results, notes = {}, []
        app = Server("app:create_app()", env, args.workers, tmp / "app.log")
        try:
            tokens = {h: api_token(app.port, bt.accounts[h][1]) for h in sample}
            reqs = [
                (f"/api/v1/children/{c}/planning?{span}", {"Authorization": f"Bearer {tokens[h]}"})
                for h in sample
                for c in kids[h]
            ]
            reqs = reqs * (args.requests // len(reqs) + 1)
            status, _, body = call(app.port, "GET", reqs[0][0], headers=reqs[0][1])
            cells = len(json.loads(body)["cells"]) if status == 200 else 0
            results["api"] = load(
                app.port,
                reqs,
                args.requests,
                args.concurrency,
                args.max_seconds,
                pids=(app.pid, pg),
            )
            notes.append(
                f"API: {cells} cells per month ({first:%B %Y}), {results['api']['errors']} errors"
            )
            if page_rule:
                cookies = {h: session_cookie(app.port, bt.accounts[h][1]) for h in sample}
                path = re.sub(r"<(?:int:)?child_id>", "{}", page_rule)
                # The portal's month view: ?vue=mois&date=<a day of the month>.
                preqs = [
                    (path.format(c) + f"?vue=mois&date={first.isoformat()}", {"Cookie": cookies[h]})
                    for h in sample
                    for c in kids[h]
                ]
                preqs = preqs * (args.requests // len(preqs) + 1)
                try:
                    results["page"] = load(
                        app.port,
                        preqs,
                        args.requests,
                        args.concurrency,
                        args.max_seconds,
                        pids=(app.pid, pg),
                    )
                    notes.append(f"page: {page_rule}, {results['page']['errors']} errors")
                except RuntimeError as e:
                    notes.append(f"page {page_rule} not measured: {e}")
            else:
                notes.append(
                    "page: the portal has no HTML planning route yet "
                    "(no GET rule with 'planning' and <child_id> outside /api): "
                    "not measured"
                )
        finally:
            app.stop()
        bare = Server("bench.bare:create_app()", env, args.workers, tmp / "bare.log")
        try:
            breqs = [(f"/bare/children/{c}/planning?{span}", {}) for h in sample for c in kids[h]]
            breqs = breqs * (args.requests // len(breqs) + 1)
            results["bare"] = load(
                bare.port,
                breqs,
                args.requests,
                args.concurrency,
                args.max_seconds,
                pids=(bare.pid, pg),
            )
        finally:
            bare.stop()

        b = results["bare"]
        if pg and b["cpu_server"] is not None:
            notes.append(
                "CPU per request (ms), server + PostgreSQL: "
                + "; ".join(
                    f"{k} {r['cpu_server']:.1f} + {r['cpu_pg']:.1f}"
                    for k, r in results.items()
                    if r.get("cpu_pg") is not None
                )
            )
        rows = []
        for key, label in (("api", "API planning"), ("page", "HTML month page")):
            if key not in results:
                continue
            r = results[key]
            rows += [
                (
                    f"{label}: requests/s",
                    r["rps"],
                    b["rps"],
                    "requests/s",
                    (lambda f, b: f / b >= 0.7, ">=0.7"),
                ),
                (f"{label}: p50 (ms)", r["p50"], b["p50"], "ms", None),
                (
                    f"{label}: p95 (ms)",
                    r["p95"],
                    b["p95"],
                    "ms",
                    (lambda f, b: f <= 100, "<=100ms"),
                ),
            ]
        table(
            f"bench.planning: {len(bt.children):,} children, {n:,} bookings; a month "
            f"({first} to {last}) of one child per request",
            rows,
            notes=notes
            + [
                "connections: "
                + (
                    "kept open (postgresql+pool://)"
                    if args.pool
                    else "one per request (the app's default)"
                ),
                f"{results['api']['n']} requests per endpoint ({args.concurrency} client "
                f"threads, gunicorn -w {args.workers}); baseline: bench/bare.py, the bookings "
                f"query alone ({b['n']} requests, {b['errors']} errors)",
            ],
            machine_line=machine_line,
        )
        if not args.keep:
            for f in tmp.iterdir():
                f.unlink()
            tmp.rmdir()


if __name__ == "__main__":
    main()
