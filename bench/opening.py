"""The opening day: every household of a town books next month's school meals through the
API within a few minutes, against the production set-up of the README (gunicorn with the
pooled PostgreSQL URL, Redis, two `flask worker`, one `flask timer` with VALIDATE_EVERY=10).

A town of `--parents` households (1 to 3 children each, 2 on average: bench.common's
build_town, today = the real today) and its servers started from this checkout (cwd and
PYTHONPATH = the checkout, so its own code is measured): gunicorn serving
'app:create_app()' (`-c config/gunicorn.py` when that file exists, otherwise `-w 4`;
`--web-cmd`, `--workers` override), two rq workers and the timer, all with
PORTAIL_CONFIG=production, a random SECRET_KEY, the mail outbox in a temporary instance
folder, QUEUE_NAME=opening-bench and Redis db `--redis-db` (9; flushed at the start). The
app's own rate limits apply.

Parents arrive evenly over `--duration` seconds, each with an aiohttp session of its own
(keep-alive, source address 127.0.0.{1 + i % 250}, 30 s per request) and, in turn:
POST /api/v1/auth/token; GET /api/v1/children; for each child GET its planning of next
month; for each child one POST /api/v1/requests booking every free, changeable REPAS cell
(header Idempotency-Key: a uuid4 fixed per request, kept on every retry); then GET
/api/v1/requests/<number> every 5 s until it is "done" (given up 180 s after the send). A
503 or 429 with Retry-After is a fast refusal: the parent waits that long (at most 120 s,
plus up to 20 % seeded jitter) and sends the same request again. A timeout or a connection
error is an error, retried 3 times after 2 s (a retried send answered 409 "already booked"
is counted apart). The whole client stops at duration + 240 s at the latest.

Sampled every second: the rq queue's length and started jobs, and the CPU of gunicorn, the
rq workers (and their work horses), the timer, PostgreSQL (the whole server: postmaster and
every backend), redis-server (the system one) and the client. When the client is done, the
web stops and the background gets up to 60 s to decide what is pending; then the database says,
for every parent, whether each child's booked REPAS cells of the month are exactly the days
asked for (one booking and one accepted line per cell), and how long each line waited
between sent_at and decided_at. Baseline, measured first in the same run: bench/bare.py
under the same web command and client at the scenario's expected average request rate
(2 per parent + 3 per child, over the duration) for 20 s, the floor of this machine.

Targets: 0 errors; p95 <= 1 s on every endpoint for a 300 s run, <= 3 s for a shorter one
(or every refusal a fast 503 within 1 s and the p95 of the rest within the limit); every
request decided within 15 s of its send; every parent's bookings exactly as asked;
background CPU (workers + timer) < 25 % of the web tier's (gunicorn).

    python -m bench.opening [--parents 2500] [--duration 300] [--json out.json] [--keep]
                            [--seed 1] [--web-cmd CMD] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import calendar
import datetime as dt
import email.utils
import json
import math
import os
import random
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from models import database

from .common import (
    DEFAULT_SERVER,
    PASSWORD,
    SIZES,
    bind,
    build_town,
    generate_requests,
    machine,
    throwaway_database,
    vacuum_analyze,
)

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
QUEUE = "opening-bench"
TIMEOUT = 30.0  # per request
GRACE = 240.0  # the client stops at duration + GRACE at the latest
POLL_EVERY = 5.0
GIVE_UP = 180.0  # a request not seen done this long after its send is "never decided"
FAILURE_RETRIES = 3  # after a timeout or a connection error, 2 s apart
RETRY_AFTER_CAP = 120.0
BASELINE_SECONDS = 20.0
DECIDE_WITHIN = 15.0
SAMPLE_EVERY = 1.0
DRAIN_SECONDS = 60.0  # after the client, for the background to decide what is pending
ENDPOINTS = ("token", "children", "planning", "send", "poll")
CLK = os.sysconf("SC_CLK_TCK")


# -- processes ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Proc:
    """A server process started in a session of its own (so that it and whatever it forks
    are stopped together, by its process group id)."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path) -> None:
        self.name, self.argv, self.logpath = name, argv, log
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid = self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if self.proc.poll() is None:
            _killpg(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _killpg(self.pid, signal.SIGKILL)
                self.proc.wait()
        _killpg(self.pid, signal.SIGKILL)  # anything of its group still there
        if not self.log.closed:
            self.log.close()


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def web_argv(args, target: str, port: int) -> list[str]:
    """The web command: --web-cmd (placeholders {port} and {app}; without {app}, `-b
    127.0.0.1:PORT APP` is appended), else gunicorn -c config/gunicorn.py when the checkout
    has one, else gunicorn -w 4; --workers N sets -w."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    bind_to = f"{HOST}:{port}"
    if args.web_cmd:
        words = shlex.split(args.web_cmd)
        if words[0] == "gunicorn":
            words[0] = gunicorn
        has_app = any("{app}" in w for w in words)
        argv = [w.replace("{port}", str(port)).replace("{app}", target) for w in words]
        if args.workers:
            argv[1:1] = ["-w", str(args.workers)]
        return argv if has_app else argv + ["-b", bind_to, target]
    if (ROOT / "config" / "gunicorn.py").exists():
        argv = [gunicorn, "-c", "config/gunicorn.py"]
        if args.workers:
            argv += ["-w", str(args.workers)]
    else:
        argv = [gunicorn, "-w", str(args.workers or 4)]
    return argv + ["-b", bind_to, target]


def shown(argv: list[str]) -> str:
    return shlex.join([Path(argv[0]).name, *argv[1:]])


def wait_http(proc: Proc, port: int, path: str, seconds: float = 60.0) -> None:
    """Until the server answers `path` with 200 (the app loads and reaches its database)."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited; see {proc.logpath}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=10) as r:
                if r.status == 200:
                    return
        except (OSError, urllib.error.URLError) as e:
            last = e
        time.sleep(0.3)
    raise RuntimeError(f"{proc.name} did not answer {path}: {last}; see {proc.logpath}")


def wait_workers(redis_conn, n: int, procs: list[Proc], seconds: float = 60.0) -> None:
    from rq import Queue, Worker

    q = Queue(QUEUE, connection=redis_conn)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for p in procs:
            if not p.alive():
                raise RuntimeError(f"{p.name} exited; see {p.logpath}")
        if Worker.count(queue=q) >= n:
            return
        time.sleep(0.3)
    raise RuntimeError(f"{n} rq workers did not register; see {procs[0].logpath}")


# -- CPU ------------------------------------------------------------------------------------
def _stat(pid: int) -> tuple[float, str]:
    """utime + stime + cutime + cstime (its reaped children) of a process, in seconds, and
    its state (R running or runnable, S sleeping, D waiting for I/O...)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / CLK, fields[0]
    except (OSError, IndexError, ValueError):
        return 0.0, "?"


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def tree_stats(pid: int | None, states: Counter | None = None) -> float:
    """CPU seconds of a process tree: each process with its reaped children, and its live
    descendants (a live child is not yet in its parent's cutime); counts the states of its
    processes in `states`."""
    if not pid:
        return 0.0
    cpu, state = _stat(pid)
    if states is not None:
        states[state] += 1
    return cpu + sum(tree_stats(k, states) for k in _children(pid))


def tree_cpu(pid: int | None) -> float:
    return tree_stats(pid)


def listen_queue(port: int) -> int | None:
    """Connections waiting in the accept queue of the listening socket on `port` (the
    rx_queue column of /proc/net/tcp for a socket in state LISTEN)."""
    local = f"0100007F:{port:04X}"
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[1] == local and fields[3] == "0A":
                    return int(fields[4].split(":")[1], 16)
    except (OSError, StopIteration, IndexError, ValueError):
        return None
    return None


def find_postmaster(url: str) -> int | None:
    """The PostgreSQL server's pid: postmaster.pid in its data directory, or the parent
    of our own backend (SELECT pg_backend_pid())."""
    import psycopg2

    try:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
            cur.execute("SHOW data_directory")
            directory = cur.fetchone()[0]
        conn.close()
    except psycopg2.Error:
        return None
    try:
        return int(Path(directory, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{backend}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def machine_cpu() -> dict:
    """Seconds of all CPUs since boot from /proc/stat: busy (user, nice, system, irq,
    softirq), iowait, steal, idle."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) / CLK for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return {}
    return {
        "busy": v[0] + v[1] + v[2] + v[5] + v[6],
        "iowait": v[4],
        "steal": v[7] if len(v) > 7 else 0.0,
        "idle": v[3],
    }


def client_cpu() -> float:
    t = os.times()
    return t.user + t.system


class Sampler(threading.Thread):
    """Every second: queue length, started jobs and CPU seconds (cumulative) by kind; every
    5 s, the function of every rq job seen in Redis (their keys live >= 60 s)."""

    def __init__(self, redis_conn, kinds: dict[str, list[int]], port: int | None = None) -> None:
        super().__init__(daemon=True)
        self.r, self.kinds, self.port = redis_conn, kinds, port
        self.samples: list[dict] = []
        self.jobs: dict[str, tuple[str, float | None]] = {}  # key -> (function, created)
        self.halt = threading.Event()
        self.errors = 0

    def snapshot(self) -> dict:
        cpu, running = {}, {}
        for k, pids in self.kinds.items():
            states: Counter = Counter()
            cpu[k] = sum(tree_stats(p, states) for p in pids)
            running[k] = states["R"]
        cpu["client"] = client_cpu()
        for k, v in machine_cpu().items():
            cpu[f"machine_{k}"] = v
        return {"t": time.monotonic(), "cpu": cpu, "running": running}

    def run(self) -> None:
        tick = 0
        nxt = time.monotonic()
        while not self.halt.is_set():
            s = self.snapshot()
            if self.port:
                s["accept_queue"] = listen_queue(self.port)
            try:
                s["queue"] = self.r.llen(f"rq:queue:{QUEUE}")
                s["started"] = self.r.zcard(f"rq:wip:{QUEUE}")
                if tick % 5 == 0:
                    self.scan_jobs()
            except Exception:  # noqa: BLE001 - a missed sample is no reason to stop
                self.errors += 1
                s["queue"] = s["started"] = None
            self.samples.append(s)
            tick += 1
            nxt += SAMPLE_EVERY
            self.halt.wait(max(0.0, nxt - time.monotonic()))

    def scan_jobs(self) -> None:
        new = []
        for key in self.r.scan_iter(match="rq:job:*", count=1000):
            key = key.decode()
            if key.count(":") == 2 and key not in self.jobs:
                new.append(key)
        if not new:
            return
        pipe = self.r.pipeline()
        for key in new:
            pipe.hmget(key, "description", "created_at")
        for key, (desc, created) in zip(new, pipe.execute(), strict=True):
            name = (desc or b"?").decode(errors="replace").split("(", 1)[0]
            try:
                when = dt.datetime.fromisoformat(created.decode()).timestamp()
            except (AttributeError, ValueError):
                when = None
            self.jobs[key] = (name.rsplit(".", 1)[-1], when)

    def stop(self) -> None:
        self.halt.set()
        self.join(10)


# -- the client -----------------------------------------------------------------------------
class Endpoint:
    def __init__(self, name: str) -> None:
        self.name = name
        self.attempts = 0
        self.ok = 0
        self.timeouts = 0
        self.conn_errors = 0
        self.statuses: Counter = Counter()  # other non-2xx answers
        self.retry_conflicts = 0  # 409 on a retried send
        self.refusals: list[float] = []  # 503/429 with Retry-After: latencies
        self.latencies: list[float] = []  # every finished attempt (answer, timeout, error)
        self.answered: list[float] = []  # the attempts that got an HTTP answer
        self.samples: list[str] = []  # the first few unexpected answers

    @property
    def errors(self) -> int:
        return self.timeouts + self.conn_errors + sum(self.statuses.values())

    def summary(self, elapsed: float) -> dict:
        lat = sorted(self.latencies)
        finished = self.ok + self.errors + self.retry_conflicts + len(self.refusals)
        rest = sorted(set_minus(self.latencies, self.refusals))
        return {
            "count": self.attempts,
            "ok": self.ok,
            "errors": self.errors,
            "timeouts": self.timeouts,
            "connection_errors": self.conn_errors,
            "other_statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "retry_told_already_booked": self.retry_conflicts,
            "fast_refusals": len(self.refusals),
            "refusal_p95": pct(sorted(self.refusals), 95),
            "refusal_max": max(self.refusals) if self.refusals else None,
            "cut_at_deadline": self.attempts - finished,
            "p50": pct(lat, 50),
            "p95": pct(lat, 95),
            "p99": pct(lat, 99),
            "max": lat[-1] if lat else None,
            "p95_without_refusals": pct(rest, 95),
            "requests_per_s": self.attempts / elapsed if elapsed else None,
            "error_samples": self.samples,
        }


def set_minus(values: list[float], remove: list[float]) -> list[float]:
    """`values` without one occurrence of each of `remove` (multiset difference)."""
    left = Counter(remove)
    out = []
    for v in values:
        if left[v]:
            left[v] -= 1
        else:
            out.append(v)
    return out


def pct(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    k = max(0, math.ceil(q / 100 * len(sorted_values)) - 1)
    return sorted_values[k]


class Client:
    """Shared state of one client run: endpoints' counters and the hard deadline."""

    def __init__(self, port: int, seed: int, names=ENDPOINTS) -> None:
        self.base = f"http://{HOST}:{port}"
        self.seed = seed
        self.eps = {n: Endpoint(n) for n in names}
        self.deadline = math.inf
        self.log: list[tuple[float, float, str]] = []  # (start, latency, outcome) per attempt

    async def call(
        self,
        session,
        rng,
        ep_name,
        method,
        path,
        *,
        json_body=None,
        headers=None,
        give_up_at=math.inf,
    ):
        """One logical request with the retry policy. Returns (status, decoded JSON) on a
        2xx answer, None otherwise."""
        import aiohttp

        loop = asyncio.get_running_loop()
        ep = self.eps[ep_name]
        end = min(self.deadline, give_up_at)
        failures, retried = 0, False
        while True:
            ep.attempts += 1
            t0 = loop.time()
            try:
                async with session.request(
                    method, self.base + path, json=json_body, headers=headers
                ) as resp:
                    body = await resp.read()
                    status = resp.status
                    retry_after = resp.headers.get("Retry-After")
                    etag = resp.headers.get("ETag")
            except TimeoutError:
                ep.latencies.append(loop.time() - t0)
                ep.timeouts += 1
                self.log.append((t0, ep.latencies[-1], "timeout"))
            except (aiohttp.ClientError, OSError) as e:
                ep.latencies.append(loop.time() - t0)
                ep.conn_errors += 1
                self.log.append((t0, ep.latencies[-1], "conn"))
                if len(ep.samples) < 5:
                    ep.samples.append(f"{type(e).__name__}: {str(e)[:150]}")
            else:
                lat = loop.time() - t0
                ep.latencies.append(lat)
                ep.answered.append(lat)
                self.log.append((t0, lat, str(status)))
                if 200 <= status < 300 or status == 304:  # 304: nothing changed since
                    ep.ok += 1
                    try:
                        return status, json.loads(body) if body else None, etag
                    except ValueError:
                        return status, None, etag
                wait = parse_retry_after(retry_after) if status in (503, 429) else None
                if wait is not None:
                    ep.refusals.append(lat)
                    wait = min(wait, RETRY_AFTER_CAP) * (1 + 0.2 * rng.random())
                    if loop.time() + wait > end:
                        return None
                    await asyncio.sleep(wait)
                    retried = True
                    continue
                if status == 409 and retried and ep_name == "send":
                    ep.retry_conflicts += 1
                    if len(ep.samples) < 5:
                        ep.samples.append(f"409 on a retried send: {body[:200]!r}")
                    return None
                ep.statuses[status] += 1
                if len(ep.samples) < 5:
                    ep.samples.append(f"{status} {method} {path[:60]}: {body[:200]!r}")
                return None
            failures += 1
            if failures > FAILURE_RETRIES or loop.time() + 2 > end:
                return None
            await asyncio.sleep(2)
            retried = True


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def new_session(i: int):
    import aiohttp

    ip = f"127.0.0.{1 + i % 250}"
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(local_addr=(ip, 0)),
        timeout=aiohttp.ClientTimeout(total=TIMEOUT),
    )


async def parent(client: Client, i: int, start_at: float, email_: str, span: tuple, rec: dict):
    """One parent's opening day (see the module's docstring)."""
    loop = asyncio.get_running_loop()
    rng = random.Random(f"{client.seed}-{i}")
    await asyncio.sleep(max(0.0, start_at - loop.time()))
    rec["started"] = loop.time()
    first, last = span
    async with new_session(i) as s:
        r = await client.call(
            s,
            rng,
            "token",
            "POST",
            "/api/v1/auth/token",
            json_body={"email": email_, "password": PASSWORD},
        )
        if r is None or not r[1] or "access_token" not in r[1]:
            return
        rec["token"] = True
        auth = {"Authorization": f"Bearer {r[1]['access_token']}"}
        r = await client.call(s, rng, "children", "GET", "/api/v1/children", headers=auth)
        if r is None:
            return
        kids = [k["id"] for k in r[1]]
        rec["children"] = kids
        for k in kids:
            r = await client.call(
                s,
                rng,
                "planning",
                "GET",
                f"/api/v1/children/{k}/planning?from={first}&to={last}",
                headers=auth,
            )
            if r is None:
                continue
            rec["asked"][k] = [
                (c["date"], c["unit_id"])
                for c in r[1]["cells"]
                if c["unit"] == "REPAS" and c["state"] == "free" and c["changeable"]
            ]
        sent = {}
        for k in kids:
            cells = rec["asked"].get(k)
            if not cells:
                continue
            # Fixed per (seed, parent, child): the same key on every retry, and in every run.
            key = str(
                uuid.UUID(int=random.Random(f"{client.seed}-{i}-{k}").getrandbits(128), version=4)
            )
            r = await client.call(
                s,
                rng,
                "send",
                "POST",
                "/api/v1/requests",
                json_body={
                    "child": k,
                    "lines": [{"date": d, "unit": u, "action": "book"} for d, u in cells],
                },
                headers={**auth, "Idempotency-Key": key},
            )
            if r is None or not r[1] or "number" not in r[1]:
                continue
            sent[k] = (r[1]["number"], loop.time())
            if r[1].get("state") == "done":
                rec["decided"][k] = 0.0
        rec["sent"] = sent
        rec["sent_all"] = len(rec["asked"]) == len(kids) and all(
            k in sent for k, cells in rec["asked"].items() if cells
        )
        # Poll every 5 s each request not yet seen done, until 180 s after its send.
        due = {k: t + POLL_EVERY for k, (n, t) in sent.items() if k not in rec["decided"]}
        tags: dict = {}  # the ETag of each request's last answer, sent back as If-None-Match
        while due:
            k = min(due, key=due.get)
            number, t_sent = sent[k]
            give_up = t_sent + GIVE_UP
            if due[k] > give_up or due[k] > client.deadline:
                del due[k]
                continue
            await asyncio.sleep(max(0.0, due[k] - loop.time()))
            r = await client.call(
                s,
                rng,
                "poll",
                "GET",
                f"/api/v1/requests/{number}",
                headers={**auth, **({"If-None-Match": tags[k]} if k in tags else {})},
                give_up_at=give_up,
            )
            if r is not None and r[2]:
                tags[k] = r[2]
            if r is not None and r[1] and r[1].get("state") == "done":
                rec["decided"][k] = loop.time() - t_sent
                del due[k]
            else:
                if r is None:
                    rec["poll_failed"].add(k)
                due[k] = max(due[k] + POLL_EVERY, loop.time())


async def run_scenario(
    client: Client, households: list[tuple[int, str]], duration: float, span: tuple
) -> tuple[list[dict], float, float, int]:
    loop = asyncio.get_running_loop()
    t0 = loop.time() + 0.5
    client.deadline = t0 + duration + GRACE
    n = len(households)
    recs = [
        {
            "household": h,
            "token": False,
            "children": None,
            "asked": {},
            "sent": {},
            "sent_all": False,
            "decided": {},
            "poll_failed": set(),
        }
        for h, _ in households
    ]
    tasks = [
        asyncio.create_task(parent(client, i, t0 + i * duration / n, em, span, recs[i]))
        for i, (_, em) in enumerate(households)
    ]
    done, pending = await asyncio.wait(tasks, timeout=max(1.0, client.deadline - loop.time()))
    for t in pending:
        t.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    crashed = [t.exception() for t in done if not t.cancelled() and t.exception()]
    if crashed:
        print(f"  ({len(crashed)} parents crashed in the client: {crashed[0]!r})")
    return recs, t0, loop.time(), len(pending)


async def run_baseline(client: Client, paths: list[str], rate: float, seconds: float):
    """Open loop: request j is sent at t0 + j / rate, on session j % 250 (one per source
    address), no retries but the client's policy."""
    loop = asyncio.get_running_loop()
    sessions = [new_session(i) for i in range(250)]
    rng = random.Random(client.seed)
    n = max(1, int(rate * seconds))
    t0 = loop.time() + 0.2
    client.deadline = t0 + seconds + 60

    async def one(j: int) -> None:
        await asyncio.sleep(max(0.0, t0 + j / rate - loop.time()))
        await client.call(sessions[j % 250], rng, "bare", "GET", paths[j % len(paths)])

    try:
        await asyncio.gather(*(one(j) for j in range(n)))
    finally:
        await asyncio.gather(*(s.close() for s in sessions))
    return loop.time() - t0


# -- the database's word --------------------------------------------------------------------
def check_database(bt, recs: list[dict], first: dt.date, last: dt.date) -> dict:
    """Per child: the booked REPAS cells of the month == the cells asked for (the client's
    list when it read the planning, else the open REPAS days of the month), one booking and
    one accepted book line per cell; per parent: all its children so. And the lines'
    decided_at - sent_at."""
    kids = list(bt.children)
    booked: dict[int, Counter] = {c: Counter() for c in kids}
    other_states: Counter = Counter()
    for child, unit, day, state in database.execute_sql(
        "SELECT b.child_id, b.unit_id, b.date, b.state FROM booking b"
        " JOIN unit u ON u.id = b.unit_id"
        " WHERE u.code = 'REPAS' AND b.date BETWEEN %s AND %s AND b.child_id = ANY(%s)",
        (first, last, kids),
    ):
        if state == "booked":
            booked[child][(day.isoformat(), unit)] += 1
        elif state != "free":
            other_states[state] += 1
    lines: dict[int, list] = {c: [] for c in kids}
    requests: dict[int, set] = {c: set() for c in kids}
    delays, undecided, line_states = [], 0, Counter()
    for req, child, unit, day, action, state, sent_at, decided_at in database.execute_sql(
        "SELECT l.request_id, l.child_id, l.unit_id, l.date, l.action, l.state, l.sent_at,"
        " l.decided_at FROM request_line l JOIN request r ON r.id = l.request_id"
        " WHERE r.state <> 'basket' AND l.date BETWEEN %s AND %s AND l.child_id = ANY(%s)",
        (first, last, kids),
    ):
        lines[child].append(((day.isoformat(), unit), action, state))
        requests[child].add(req)
        line_states[state] += 1
        if decided_at is None or sent_at is None:
            undecided += 1
        else:
            delays.append((decided_at - sent_at).total_seconds())
    calendar_days = [d.isoformat() for d in bt.days if first <= d <= last]
    by_household: dict[int, list[int]] = {}
    for c, (h, _) in bt.children.items():
        by_household.setdefault(h, []).append(c)
    passed, children_ok, asked_differs, dup_bookings, dup_lines = 0, 0, 0, 0, 0
    first_failures = []
    for rec in recs:
        ok_all = True
        for c in by_household.get(rec["household"], []):
            expected = {(d, bt.children[c][1]) for d in calendar_days}
            if c in rec["asked"]:
                asked = set(map(tuple, rec["asked"][c]))
                asked_differs += asked != expected
            else:
                asked = expected
            cells = booked[c]
            dup_bookings += sum(1 for n in cells.values() if n > 1)
            cells_of_lines = Counter(cell for cell, _, _ in lines[c])
            dup_lines += sum(1 for n in cells_of_lines.values() if n > 1)
            ok = (
                set(cells) == asked
                and all(n == 1 for n in cells.values())
                and set(cells_of_lines) == asked
                and all(n == 1 for n in cells_of_lines.values())
                and all(a == "book" and s == "accepted" for _, a, s in lines[c])
            )
            children_ok += ok
            if not ok and len(first_failures) < 3:
                first_failures.append(
                    f"child {c}: asked {len(asked)}, booked {sum(cells.values())}, "
                    f"lines {dict(Counter(s for _, _, s in lines[c]))}"
                )
            ok_all &= ok
        passed += ok_all
    d = sorted(delays)
    return {
        "parents_passed": passed,
        "children_passed": children_ok,
        "children": len(kids),
        "asked_differs_from_calendar": asked_differs,
        "duplicate_bookings": dup_bookings,
        "duplicate_lines": dup_lines,
        "other_booking_states": dict(other_states),
        "line_states": dict(line_states),
        "children_with_several_requests": sum(1 for r in requests.values() if len(r) > 1),
        "first_failures": first_failures,
        "lines": len(delays) + undecided,
        "lines_undecided": undecided,
        "decision_p50": pct(d, 50),
        "decision_p95": pct(d, 95),
        "decision_max": d[-1] if d else None,
        "decision_over_15s": sum(1 for x in d if x > DECIDE_WITHIN),
    }


# -- the report -----------------------------------------------------------------------------
def s_(x, digits=3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def cpu_between(a: dict, b: dict) -> dict:
    return {k: b["cpu"][k] - a["cpu"][k] for k in a["cpu"]}


def windows(
    samples: list[dict],
    t0: float,
    t1: float,
    attempts: list[tuple[float, float, str]],
    jobs: list[tuple[str, float]],
    width: float = 10.0,
) -> list[dict]:
    """10 s windows from t0: queue, started jobs, accept queue, CPU % and runnable processes
    by kind (sampled), the client's attempts started in the window (count, timeouts,
    p50/p95) and the rq jobs created in it by function (`jobs`: (function, monotonic t))."""
    out = []
    run = [s for s in samples if t0 - 1 <= s["t"] <= t1 + 1]
    k = 0
    while t0 + k * width < t1:
        lo, hi = t0 + k * width, t0 + (k + 1) * width
        inside = [s for s in run if lo <= s["t"] < hi]

        def values(key, inside=inside):
            return [s[key] for s in inside if s.get(key) is not None]

        q, st, aq = values("queue"), values("started"), values("accept_queue")
        before = [s for s in run if s["t"] < lo]
        prev = before[-1] if before else (inside[0] if inside else None)
        cpu = {}
        if inside and prev is not None and inside[-1]["t"] > prev["t"]:
            span = inside[-1]["t"] - prev["t"]
            cpu = {kk: 100 * v / span for kk, v in cpu_between(prev, inside[-1]).items()}
        running = {}
        for s in inside:
            for kk, n in s.get("running", {}).items():
                running[kk] = running.get(kk, 0) + n / len(inside)
        lat = sorted(x for t, x, _ in attempts if lo <= t < hi)
        new_jobs = Counter(f for f, t in jobs if lo <= t < hi)
        out.append(
            {
                "from": k * width,
                "queue_max": max(q) if q else None,
                "queue_mean": sum(q) / len(q) if q else None,
                "started_max": max(st) if st else None,
                "accept_queue_max": max(aq) if aq else None,
                "cpu_percent": cpu,
                "running_mean": running,
                "attempts": len(lat),
                "timeouts": sum(1 for t, _, o in attempts if lo <= t < hi and o == "timeout"),
                "p50": pct(lat, 50),
                "p95": pct(lat, 95),
                "new_jobs": dict(new_jobs),
            }
        )
        k += 1
    return out


OURS = ("gunicorn", "workers", "timer", "postgresql", "redis", "client")


def others(cpu_percent: dict) -> float | None:
    """The machine's busy CPU % not spent by the processes the bench watches."""
    if "machine_busy" not in cpu_percent:
        return None
    return cpu_percent["machine_busy"] - sum(cpu_percent.get(k, 0) for k in OURS)


def report(res: dict) -> None:
    p = print
    p()
    p(
        f"bench.opening: {res['parents']:,} parents ({res['children']:,} children), arriving "
        f"evenly over {res['duration']:.0f} s; booking {res['month'][0]} to {res['month'][1]}"
    )
    p(f"  machine: {res['machine']}")
    p(f"  load average at start: {res['loadavg_start']}; at end: {res.get('loadavg_end')}")
    p(f"  web: {res['web_cmd']}")
    p("  background: 2 x flask --app app worker, flask --app app timer (VALIDATE_EVERY=10)")
    p(
        f"  client: aiohttp, one session per parent from 127.0.0.1-250, {TIMEOUT:.0f} s per "
        f"request, seed {res['seed']}; ran {res['client_elapsed']:.1f} s"
        + (f", {res['cut_parents']} parents cut at the deadline" if res["cut_parents"] else "")
    )
    b = res.get("baseline")
    p()
    if b and "error" not in b:
        p(
            f"baseline (same run): bench.bare, same web command and client, open loop at "
            f"{b['rate']:.1f} req/s for {b['seconds']:.0f} s: {b['count']:,} requests, "
            f"{b['ok']:,} ok, {b['errors']} errors; p50 {s_(b['p50'])} s, p95 {s_(b['p95'])} s, "
            f"max {s_(b['max'])} s; {b['requests_per_s']:.1f} req/s"
        )
        if b.get("cpu_ms_per_request"):
            c = b["cpu_ms_per_request"]
            p(
                f"  CPU per request: gunicorn {c['gunicorn']:.2f} ms, PostgreSQL "
                f"{c['postgresql']:.2f} ms, client {c['client']:.2f} ms"
            )
        p(f"  bench.bare's DATABASE_URL: {b['database_url']} (psycopg2 refuses the pool options)")
    elif b:
        p(f"baseline: not measured ({b['error']})")
    p()
    head = (
        f"{'endpoint':<9} {'count':>7} {'ok':>7} {'timeout':>7} {'conn':>5} {'other':>6} "
        f"{'refused':>7} {'ref.p95':>7} {'p50 s':>7} {'p95 s':>7} {'p99 s':>7} {'max s':>7} "
        f"{'req/s':>6}"
    )
    p(head)
    p("-" * len(head))
    for name, e in res["endpoints"].items():
        other = sum(e["other_statuses"].values()) + e["retry_told_already_booked"]
        p(
            f"{name:<9} {e['count']:>7,} {e['ok']:>7,} {e['timeouts']:>7,} "
            f"{e['connection_errors']:>5,} {other:>6,} {e['fast_refusals']:>7,} "
            f"{s_(e['refusal_p95']):>7} {s_(e['p50']):>7} {s_(e['p95']):>7} "
            f"{s_(e['p99']):>7} {s_(e['max']):>7} {e['requests_per_s'] or 0:>6.1f}"
        )
    t = res["totals"]
    p(
        f"{'all':<9} {t['count']:>7,} {t['ok']:>7,} {t['timeouts']:>7,} "
        f"{t['connection_errors']:>5,} {t['other']:>6,} {t['fast_refusals']:>7,} "
        f"{s_(t['refusal_p95']):>7} {s_(t['p50']):>7} {s_(t['p95']):>7} {s_(t['p99']):>7} "
        f"{s_(t['max']):>7} {t['requests_per_s']:>6.1f}"
    )
    p("  (latency of every attempt: an answer, a timeout at 30 s or a connection error)")
    for name, e in res["endpoints"].items():
        bits = []
        if e["other_statuses"]:
            bits.append(f"statuses {e['other_statuses']}")
        if e["retry_told_already_booked"]:
            bits.append(f"retry told already booked {e['retry_told_already_booked']}")
        if e["cut_at_deadline"]:
            bits.append(f"cut at the deadline {e['cut_at_deadline']}")
        if bits:
            p(f"  {name}: " + "; ".join(bits))
        for sample in e["error_samples"][:3]:
            p(f"    {name}: {sample}")
    pa = res["parents_outcome"]
    p()
    p(
        f"parents: {res['parents']:,}; got a token {pa['token']:,}; read every planning "
        f"{pa['planning']:,}; sent all their requests {pa['sent_all']:,}; saw all decided "
        f"{pa['saw_decided']:,}; bookings exactly as asked {res['db']['parents_passed']:,}"
    )
    c = res["cpu"]
    p()
    p(f"CPU over the client's run ({res['client_elapsed']:.0f} s)   seconds  % of one core")
    labels = {  # machine_* are the whole machine's, printed below
        "gunicorn": "gunicorn (master + workers)",
        "workers": "rq workers (+ work horses)",
        "timer": "timer",
        "postgresql": "PostgreSQL (whole server)",
        "redis": "redis-server (whole server)",
        "client": "client (this process)",
    }
    for k, label in labels.items():
        if k in c["seconds"]:
            p(f"  {label:<34} {c['seconds'][k]:>8.1f}  {c['percent'][k]:>8.1f}")
    if "machine_busy" in c["seconds"]:
        pc = c["percent"]
        p(
            f"  the whole machine ({os.cpu_count()} cores): busy {pc['machine_busy']:.0f} %, "
            f"idle {pc['machine_idle']:.0f} %, iowait {pc['machine_iowait']:.0f} %, steal "
            f"{pc['machine_steal']:.0f} % (of one core); others (busy - the kinds above): "
            f"{pc['machine_busy'] - sum(pc[k] for k in labels if k in pc):.0f} %"
        )
    ratio = c["background_over_web"]
    n = max(1, res["totals"]["count"])
    p(
        f"  per request of the scenario: gunicorn {1000 * c['seconds']['gunicorn'] / n:.2f} ms,"
        f" PostgreSQL {1000 * c['seconds'].get('postgresql', 0) / n:.2f} ms, background "
        f"{1000 * (c['seconds']['workers'] + c['seconds']['timer']) / n:.2f} ms, client "
        f"{1000 * c['seconds']['client'] / n:.2f} ms"
    )
    p(
        f"  background (workers + timer) / web (gunicorn) = "
        f"{'-' if ratio is None else f'{100 * ratio:.0f} %'}"
    )
    p()
    p("by 10 s window: rq queue (rq:queue:opening-bench), jobs created (validate_pending /")
    p("send_template / other), web accept queue, CPU % of one core and runnable processes by")
    p("kind (all% = the whole machine, out of 100 per core; oth% = all% - our processes),")
    p("and the client's attempts started in the window (t/o: of which timed out)")

    def n_(x) -> str:
        return "-" if x is None else str(x)

    head = (
        f"  {'t (s)':>5} {'q max':>5} {'q mean':>6} {'started':>7} {'new jobs':>11} "
        f"{'acceptq':>7} {'all%':>4} {'oth%':>4} {'web%':>4} {'bg%':>4} {'pg%':>4} "
        f"{'rds%':>4} {'cli%':>4} "
        f"{'run web/bg/pg':>13} {'sent':>5} {'t/o':>4} {'p50 s':>6} {'p95 s':>6}"
    )
    p(head)
    for w in res["queue_windows"]:
        cp, rn, nj = w["cpu_percent"], w["running_mean"], w["new_jobs"]
        bg = (cp.get("workers", 0) + cp.get("timer", 0)) if cp else None
        jobs = (
            f"{nj.get('validate_pending', 0)}/{nj.get('send_template', 0)}/"
            f"{sum(v for f, v in nj.items() if f not in ('validate_pending', 'send_template'))}"
        )
        runs = (
            f"{rn.get('gunicorn', 0):.1f}/{rn.get('workers', 0) + rn.get('timer', 0):.1f}/"
            f"{rn.get('postgresql', 0):.1f}"
        )
        p(
            f"  {w['from']:>5.0f} {n_(w['queue_max']):>5} {s_(w['queue_mean'], 0):>6} "
            f"{n_(w['started_max']):>7} {jobs:>11} {n_(w['accept_queue_max']):>7} "
            f"{s_(cp.get('machine_busy'), 0):>4} {s_(others(cp), 0):>4} "
            f"{s_(cp.get('gunicorn'), 0):>4} {s_(bg, 0):>4} {s_(cp.get('postgresql'), 0):>4} "
            f"{s_(cp.get('redis'), 0):>4} {s_(cp.get('client'), 0):>4} {runs:>13} "
            f"{w['attempts']:>5} {w['timeouts']:>4} {s_(w['p50'], 2):>6} {s_(w['p95'], 2):>6}"
        )
    p(
        f"  queue peak {res['queue_peak']}, web accept queue peak {res['accept_queue_peak']}"
        f" (gunicorn's backlog: 2048 by default)"
    )
    d = res["db"]
    p()
    p(
        f"decisions (database, lines of the month): {d['lines']:,} lines, "
        f"{d['lines_undecided']:,} undecided; decided_at - sent_at p50 {s_(d['decision_p50'])} s,"
        f" p95 {s_(d['decision_p95'])} s, max {s_(d['decision_max'])} s; over 15 s: "
        f"{d['decision_over_15s']:,}; line states {d['line_states']}"
    )
    cl = res["client_decisions"]
    p(
        f"decisions (client, send's answer -> poll that saw done): {cl['seen']:,} of "
        f"{cl['sent']:,} sent requests; p50 {s_(cl['p50'], 1)} s, p95 {s_(cl['p95'], 1)} s, "
        f"max {s_(cl['max'], 1)} s; never decided (180 s): {cl['never']:,}, of which "
        f"{cl['never_with_failed_polls']:,} had polls that failed (timeouts)"
    )
    p(
        f"database check: {d['children_passed']:,} of {d['children']:,} children exactly as "
        f"asked; duplicate bookings {d['duplicate_bookings']}, duplicate lines "
        f"{d['duplicate_lines']}, children with several requests "
        f"{d['children_with_several_requests']}, other booking states "
        f"{d['other_booking_states']}; planning differed from the calendar for "
        f"{d['asked_differs_from_calendar']} children"
    )
    for f in d["first_failures"]:
        p(f"  {f}")
    j = res["jobs"]
    p()
    p(
        f"jobs: seen in Redis by function {j['by_function']}; rq workers: "
        f"{j['successful']} successful, {j['failed']} failed, {j['working_seconds']:.1f} s "
        f"working ({j['cpu_ms_per_job']:.0f} ms of CPU per job); registries: finished "
        f"{j['finished_registry']}, failed "
        f"{j['failed_registry']}; mails in the outbox {j['mails']}"
    )
    af = res.get("after_client")
    if af:
        p(
            f"after the client (web stopped): {af['pending_lines']:,} lines pending, queue "
            f"{af['queue']:,}; {af['still_pending']:,} still pending after "
            f"{af['seconds']:.0f} s (the database figures are read after that)"
        )
    lg = res["logs"]
    p(
        f"logs: gunicorn WORKER TIMEOUT {lg['worker_timeouts']}, tracebacks: web "
        f"{lg['web_tracebacks']}, workers {lg['worker_tracebacks']}, timer "
        f"{lg['timer_tracebacks']}"
    )
    p()
    p("targets")
    for name, ok, detail in res["targets"]:
        p(f"  {name:<64} {'yes' if ok else 'NO':<4} {detail}")


# -- the run --------------------------------------------------------------------------------
def children_for(parents: int) -> int:
    """build_town's child count giving `parents` households (SIZES in turn)."""
    return sum(SIZES[i % len(SIZES)] for i in range(parents))


def next_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def count_in(path: Path, needle: str) -> int:
    try:
        return path.read_text(errors="replace").count(needle)
    except OSError:
        return 0


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parents", type=int, default=2500, help="households (one parent each)")
    p.add_argument("--duration", type=float, default=300, help="seconds over which they arrive")
    p.add_argument("--json", type=Path, help="write the results to this file")
    p.add_argument("--keep", action="store_true", help="keep the database and instance folder")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--web-cmd", help="web command ({port}, {app} placeholders; see web_argv)")
    p.add_argument("--workers", type=int, help="gunicorn workers (-w)")
    p.add_argument("--redis-db", type=int, default=9, help="Redis db number (never 0)")
    p.add_argument("--baseline-seconds", type=float, default=BASELINE_SECONDS)
    p.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG", DEFAULT_SERVER),
        help="PostgreSQL server URL without database name (env BENCH_PG)",
    )
    args = p.parse_args()
    if args.redis_db == 0:
        p.error("--redis-db 0 is not for benchmarks")
    return args


def the_term_so_far(bt, first) -> int:
    """What a town's tables hold on the day it opens next month: every child's weekly
    template booked from September to the month before, decided and announced (the
    planner then sees tables of their real size, analyzed, as in production)."""
    all_days = bt.days
    bt.days = [d for d in all_days if d < first]
    try:
        n = generate_requests(bt, "accepted", "booked", "done") if bt.days else 0
    finally:
        bt.days = all_days
    database.execute_sql("UPDATE request SET notified_at = sent_at")
    print(f"the term so far: {n:,} bookings before {first}")
    return n


def main() -> None:
    args = parse()
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        sys.exit("bench.opening needs aiohttp: .venv/bin/pip install aiohttp")
    from redis import Redis

    loadavg_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    redis_url = f"redis://127.0.0.1:6379/{args.redis_db}"
    rconn = Redis.from_url(redis_url)
    rconn.flushdb()
    today = dt.date.today()
    first, last = next_month(today)
    n_children = children_for(args.parents)
    procs: list[Proc] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-opening-"))
    res: dict = {"parents": args.parents, "duration": args.duration, "seed": args.seed}
    with throwaway_database(args.server, f"bench_opening_{os.getpid()}", args.keep) as url:
        try:
            bind(url)
            bt = build_town(n_children, today=today)
            res["history_bookings"] = the_term_so_far(bt, first)
            vacuum_analyze()
            res["machine"] = machine()
            database.close()
            households = sorted(bt.accounts)[: args.parents]
            hset = set(households)
            res["children"] = sum(1 for h, _ in bt.children.values() if h in hset)
            res["month"] = (first.isoformat(), last.isoformat())
            res["loadavg_start"] = loadavg_start
            pooled = url.replace("postgresql://", "postgresql+pool://", 1)
            pooled += "?max_connections=20&stale_timeout=300"
            env = {k: v for k, v in os.environ.items() if not k.startswith("SMTP_")}
            env.update(
                {
                    "PYTHONPATH": str(ROOT),
                    "PORTAIL_CONFIG": "production",
                    "SECRET_KEY": secrets.token_urlsafe(32),
                    "DATABASE_URL": pooled,
                    "REDIS_URL": redis_url,
                    "QUEUE_NAME": QUEUE,
                    "VALIDATE_EVERY": "10",
                    "PORTAIL_INSTANCE": str(tmp),
                }
            )
            pg = find_postmaster(url)
            info = rconn.info("server")
            redis_pid = int(info["process_id"])
            span = (first.isoformat(), last.isoformat())

            # The baseline: bench.bare, same command and client, the scenario's mean rate.
            rate = (2 * args.parents + 3 * res["children"]) / args.duration
            port = free_port()
            argv = web_argv(args, "bench.bare:create_app()", port)
            env["PUBLIC_URL"] = f"http://{HOST}:{port}"
            kids = list(bt.children)
            paths = [
                f"/bare/children/{kids[(j * 7919) % len(kids)]}/planning?from={first}&to={last}"
                for j in range(len(kids))
            ]
            # bench/bare.py hands the URL to psycopg2, which refuses peewee's pool options:
            # the same pooled URL without them (bare keeps one connection per process).
            bare_env = {**env, "DATABASE_URL": pooled.split("?", 1)[0]}
            bare = Proc("bench.bare", argv, bare_env, tmp / "bare.log")
            procs.append(bare)
            try:
                wait_http(bare, port, paths[0])
                bclient = Client(port, args.seed, names=("bare",))
                c0 = {"gunicorn": tree_cpu(bare.pid), "postgresql": tree_cpu(pg)}
                c0["client"] = client_cpu()
                elapsed = asyncio.run(run_baseline(bclient, paths, rate, args.baseline_seconds))
                time.sleep(0.3)
                c1 = {"gunicorn": tree_cpu(bare.pid), "postgresql": tree_cpu(pg)}
                c1["client"] = client_cpu()
                e = bclient.eps["bare"].summary(elapsed)
                done = max(1, e["count"])
                res["baseline"] = {
                    **e,
                    "rate": rate,
                    "seconds": args.baseline_seconds,
                    "web_cmd": shown(argv),
                    "database_url": bare_env["DATABASE_URL"],
                    "cpu_ms_per_request": {k: (c1[k] - c0[k]) * 1000 / done for k in c0},
                }
            except Exception as ex:  # noqa: BLE001 - the scenario is still worth running
                res["baseline"] = {"error": f"{type(ex).__name__}: {ex}"}
            finally:
                bare.stop()

            # The scenario's servers.
            port = free_port()
            env["PUBLIC_URL"] = f"http://{HOST}:{port}"
            argv = web_argv(args, "app:create_app()", port)
            res["web_cmd"] = shown(argv)
            flask = str(Path(sys.executable).with_name("flask"))
            web = Proc("gunicorn", argv, env, tmp / "web.log")
            procs.append(web)
            workers = [
                Proc(f"worker {k}", [flask, "--app", "app", "worker"], env, tmp / f"w{k}.log")
                for k in (1, 2)
            ]
            procs += workers
            timer = Proc("timer", [flask, "--app", "app", "timer"], env, tmp / "timer.log")
            procs.append(timer)
            wait_http(web, port, "/api/openapi.json")
            wait_workers(rconn, 2, workers)
            time.sleep(1.0)
            for p_ in procs:
                if p_ is not bare and not p_.alive():
                    raise RuntimeError(f"{p_.name} exited; see {p_.logpath}")
            kinds = {
                "gunicorn": [web.pid],
                "workers": [w.pid for w in workers],
                "timer": [timer.pid],
                "postgresql": [pg] if pg else [],
                "redis": [redis_pid],
            }
            sampler = Sampler(Redis.from_url(redis_url), kinds, port)
            sampler.start()
            client = Client(port, args.seed)
            who = [(h, bt.accounts[h][1]) for h in households]
            print(
                f"scenario: {len(who):,} parents over {args.duration:.0f} s against "
                f"{res['web_cmd']} (load average {loadavg_start})",
                flush=True,
            )
            try:
                a = sampler.snapshot()
                recs, t0, t1, cut = asyncio.run(run_scenario(client, who, args.duration, span))
                b_ = sampler.snapshot()
            finally:
                sampler.stop()
            res["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
            elapsed = t1 - t0
            res["client_elapsed"] = elapsed
            res["cut_parents"] = cut

            # The web first (it may still be answering requests of its backlog whose
            # clients have gone, and commit them), then the background gets up to
            # DRAIN_SECONDS to decide what is still pending.
            web.stop()
            res["after_client"] = drain(url, rconn)
            # What rq knows, before the workers stop.
            res["jobs"] = rq_figures(rconn, sampler, tmp)
            bg_cpu = b_["cpu"]["workers"] - a["cpu"]["workers"]
            res["jobs"]["cpu_ms_per_job"] = 1000 * bg_cpu / max(1, res["jobs"]["successful"])
        finally:
            for p_ in reversed(procs):
                p_.stop()

        res["logs"] = {
            "worker_timeouts": count_in(tmp / "web.log", "WORKER TIMEOUT"),
            "web_tracebacks": count_in(tmp / "web.log", "Traceback"),
            "worker_tracebacks": sum(count_in(tmp / f"w{k}.log", "Traceback") for k in (1, 2)),
            "timer_tracebacks": count_in(tmp / "timer.log", "Traceback"),
        }
        res["endpoints"] = {n: e.summary(elapsed) for n, e in client.eps.items()}
        every = [x for e in client.eps.values() for x in e.latencies]
        refusals = [x for e in client.eps.values() for x in e.refusals]
        lat = sorted(every)
        es = res["endpoints"].values()
        res["totals"] = {
            "count": sum(e["count"] for e in es),
            "ok": sum(e["ok"] for e in es),
            "timeouts": sum(e["timeouts"] for e in es),
            "connection_errors": sum(e["connection_errors"] for e in es),
            "other": sum(
                sum(e["other_statuses"].values()) + e["retry_told_already_booked"] for e in es
            ),
            "fast_refusals": len(refusals),
            "refusal_p95": pct(sorted(refusals), 95),
            "p50": pct(lat, 50),
            "p95": pct(lat, 95),
            "p99": pct(lat, 99),
            "max": lat[-1] if lat else None,
            "requests_per_s": sum(e["count"] for e in es) / elapsed,
        }
        cpu = cpu_between(a, b_)
        res["cpu"] = {
            "seconds": cpu,
            "percent": {k: 100 * v / elapsed for k, v in cpu.items()},
            "background_over_web": (cpu["workers"] + cpu["timer"]) / cpu["gunicorn"]
            if cpu["gunicorn"]
            else None,
        }
        mono = time.monotonic() - time.time()  # wall clock -> monotonic
        jobs = [(f, when + mono) for f, when in sampler.jobs.values() if when is not None]
        res["queue_windows"] = windows(sampler.samples, t0, t1, client.log, jobs)
        qs = [s["queue"] for s in sampler.samples if s.get("queue") is not None]
        res["queue_peak"] = max(qs) if qs else None
        aq = [s["accept_queue"] for s in sampler.samples if s.get("accept_queue") is not None]
        res["accept_queue_peak"] = max(aq) if aq else None
        res["samples"] = [
            {
                "t": round(s["t"] - t0, 2),
                "queue": s.get("queue"),
                "started": s.get("started"),
                "accept_queue": s.get("accept_queue"),
                "running": s.get("running"),
            }
            for s in sampler.samples
        ]
        bind(url)
        res["db"] = check_database(bt, recs, first, last)
        database.close()
        delays = sorted(x for r in recs for x in r["decided"].values())
        sent = sum(len(r["sent"]) for r in recs)
        res["client_decisions"] = {
            "sent": sent,
            "seen": len(delays),
            "never": sent - len(delays),
            "never_with_failed_polls": sum(
                1
                for r in recs
                for k in r["sent"]
                if k not in r["decided"] and k in r["poll_failed"]
            ),
            "p50": pct(delays, 50),
            "p95": pct(delays, 95),
            "max": delays[-1] if delays else None,
        }
        res["parents_outcome"] = {
            "token": sum(r["token"] for r in recs),
            "planning": sum(
                1
                for r in recs
                if r["children"] is not None and len(r["asked"]) == len(r["children"])
            ),
            "sent_all": sum(r["sent_all"] for r in recs),
            "saw_decided": sum(
                1 for r in recs if r["sent_all"] and len(r["decided"]) == len(r["sent"])
            ),
        }
        res["targets"] = targets(res)
        report(res)
        if args.json:
            args.json.write_text(json.dumps(res, indent=1, default=str))
            print(f"\n(results written to {args.json})")
    if args.keep:
        print(f"(kept the instance folder {tmp}: logs, outbox)")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            rconn.flushdb()
        except Exception:  # noqa: BLE001
            pass


def pending_lines(url: str) -> int:
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM request_line WHERE state = 'pending'")
        n = cur.fetchone()[0]
    conn.close()
    return n


def drain(url: str, rconn) -> dict:
    """After the client and the web have stopped: lines still pending and rq's queue, then
    how long the background takes to decide those lines (at most DRAIN_SECONDS)."""
    t0 = time.monotonic()
    first = pending = pending_lines(url)
    queue = rconn.llen(f"rq:queue:{QUEUE}")
    while pending and time.monotonic() - t0 < DRAIN_SECONDS:
        time.sleep(1)
        pending = pending_lines(url)
    return {
        "pending_lines": first,
        "queue": queue,
        "still_pending": pending,
        "seconds": time.monotonic() - t0 if first else 0.0,
    }


def rq_figures(rconn, sampler: Sampler, instance: Path) -> dict:
    from rq import Queue, Worker
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    sampler.scan_jobs()
    q = Queue(QUEUE, connection=rconn)
    ws = Worker.all(queue=q)
    return {
        "by_function": dict(Counter(f for f, _ in sampler.jobs.values()).most_common()),
        "successful": sum(w.successful_job_count for w in ws),
        "failed": sum(w.failed_job_count for w in ws),
        "working_seconds": sum(w.total_working_time for w in ws),
        "finished_registry": FinishedJobRegistry(queue=q).count,
        "failed_registry": FailedJobRegistry(queue=q).count,
        "mails": len(list((instance / "outbox").glob("*.eml"))),
    }


def targets(res: dict) -> list[tuple[str, bool, str]]:
    limit = 1.0 if res["duration"] >= 300 else 3.0
    t = res["totals"]
    errors = t["timeouts"] + t["connection_errors"] + t["other"]
    out = [
        (
            "0 errors (timeouts, connection errors, other statuses)",
            errors == 0,
            f"{errors:,}",
        )
    ]
    slow = []
    for name, e in res["endpoints"].items():
        if not e["count"]:
            continue
        fast_refusals = e["refusal_max"] is None or e["refusal_max"] <= 1.0
        ok = (e["p95"] or 0) <= limit or (
            fast_refusals and (e["p95_without_refusals"] or 0) <= limit
        )
        if not ok:
            slow.append(f"{name} {e['p95']:.2f} s")
    out.append(
        (
            f"p95 <= {limit:.0f} s on every endpoint (or refusals fast 503s within 1 s)",
            not slow,
            ", ".join(slow) or "all within",
        )
    )
    d, cl = res["db"], res["client_decisions"]
    decided = (
        d["lines_undecided"] == 0
        and d["decision_over_15s"] == 0
        and cl["never"] == 0
        and res["parents_outcome"]["sent_all"] == res["parents"]
    )
    out.append(
        (
            "every request decided within 15 s of its send",
            decided,
            f"max {s_(d['decision_max'], 1)} s, {d['decision_over_15s']:,} lines over 15 s, "
            f"{d['lines_undecided']:,} undecided, {cl['never']:,} never seen done, "
            f"{res['parents'] - res['parents_outcome']['sent_all']:,} parents did not send all",
        )
    )
    out.append(
        (
            "every parent's bookings exactly as asked",
            d["parents_passed"] == res["parents"],
            f"{d['parents_passed']:,} of {res['parents']:,}",
        )
    )
    ratio = res["cpu"]["background_over_web"]
    out.append(
        (
            "background CPU (workers + timer) < 25 % of the web tier's",
            ratio is not None and ratio < 0.25,
            "-" if ratio is None else f"{100 * ratio:.0f} %",
        )
    )
    return out


if __name__ == "__main__":
    main()
