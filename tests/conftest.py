"""Fixtures on real parts: a SQLite file or a PostgreSQL database of this run's own, a real
Redis (the embedded one, or REDIS_URL's), and real rq workers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from jobs import embedded_redis
from models import ALL_MODELS, create_schema, database, is_postgres

from . import factories, forms

ROOT = Path(__file__).resolve().parent.parent
RUN_ID = uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg2

        base, _, _name = url.rpartition("/")
        name = f"portail_test_{RUN_ID}"
        admin = psycopg2.connect(f"{base}/postgres")
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        yield f"{base}/{name}"
        database.close()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'portail.db'}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    folder = Path(f"/tmp/pf-redis-{RUN_ID}")  # a short path: unix sockets have a length limit
    folder.mkdir(parents=True, exist_ok=True)
    sock = folder / "redis.sock"
    proc = embedded_redis.start(sock, folder)
    embedded_redis.wait_for(sock)
    yield f"unix://{sock}"
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def _env(db_url, redis_url, tmp_path_factory):
    """The settings every process of the test run reads (the app, forked and spawned
    workers alike)."""
    os.environ.update(
        PORTAIL_CONFIG="testing",
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        QUEUE_NAME=f"test-{RUN_ID}",
        SECRET_KEY="test-secret",
        PORTAIL_INSTANCE=str(tmp_path_factory.mktemp("instance")),
    )
    from app import create_app

    app = create_app("testing")
    with app.app_context():
        database.connect(reuse_if_open=True)
        create_schema()
        database.close()
    return app


def _wipe() -> None:
    tables = [m._meta.table_name for m in ALL_MODELS]
    if is_postgres():
        # DELETE is much faster than TRUNCATE on tables this small (TRUNCATE rewrites files).
        database.execute_sql("SET session_replication_role = replica")  # skip FK triggers
        for t in tables:
            database.execute_sql(f'DELETE FROM "{t}"')
            seq = f"pg_get_serial_sequence('\"{t}\"', 'id')"
            database.execute_sql(f"SELECT setval({seq}, 1, false)")  # ids start at 1 again
        database.execute_sql("SET session_replication_role = DEFAULT")
    else:
        database.execute_sql("PRAGMA foreign_keys = OFF")
        for t in reversed(tables):
            database.execute_sql(f'DELETE FROM "{t}"')
        database.execute_sql("PRAGMA foreign_keys = ON")


@pytest.fixture
def app(_env, redis_url):
    from app import create_app

    app = create_app("testing")
    database.connect(reuse_if_open=True)
    _wipe()
    from jobs.queue import redis_from_url

    redis_from_url(redis_url).flushdb()
    yield app
    if not database.is_closed():
        database.close()


@pytest.fixture
def client(app):
    return app.test_client()


class Auth:
    """Logged-in test clients, through the real login form (CSRF on): a parent of a
    household, or a staff member of a town created with the roles asked for."""

    def __init__(self, app) -> None:
        self.app = app

    def login(self, who, password: str = factories.PASSWORD, client=None):
        """A client logged in as `who`: an account, a household (its guardian) or an
        e-mail address. A new client unless one is given."""
        email = getattr(who, "_email", None) or getattr(who, "email", who)
        client = client or self.app.test_client()
        response = forms.login_through(client, email, password)
        assert response.status_code in (200, 302), f"{email} could not log in"
        if response.status_code == 200:  # an enrolment: its recovery codes page
            assert "Vos codes de secours" in response.get_data(as_text=True), email
        return client

    def parent(self, household, client=None):
        return self.login(household, client=client)

    def staff(self, town, roles: str, email: str | None = None, client=None):
        return self.login(factories.staff(town, roles, email), client=client)

    def approver(self, town, **kw):
        return self.staff(town, "approver", **kw)

    def admin(self, town, **kw):
        return self.staff(town, "admin", **kw)

    def finance(self, town, **kw):
        return self.staff(town, "finance", **kw)


@pytest.fixture
def auth(app) -> Auth:
    return Auth(app)


@pytest.fixture
def queue(app):
    from jobs.queue import queue_for

    return queue_for(app.config)


def rq_bin() -> str:
    return str(Path(sys.executable).parent / "rq")


def worker_command(queue_name: str | None = None) -> list[str]:
    """A real rq worker of the class production runs (`flask worker`: a SimpleWorker), in
    burst mode: it runs what is queued, then exits."""
    return [
        rq_bin(),
        "worker",
        "--burst",
        "--worker-class",
        "rq.worker.SimpleWorker",
        "--url",
        os.environ["REDIS_URL"],
        queue_name or os.environ["QUEUE_NAME"],
    ]


def run_worker(queue_name: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """A real rq worker, in its own process, in burst mode: it runs what is queued and exits."""
    return subprocess.run(
        worker_command(queue_name),
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
