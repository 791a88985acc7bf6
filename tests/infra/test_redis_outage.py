"""A Redis outage delays work, never loses it: a password-reset e-mail asked for while Redis
is down is in the outbox; the timer and a worker started before the outage are still alive
after it, and once Redis is back the timer's jobs send that e-mail."""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from jobs import embedded_redis
from models.outbox import OutgoingMail
from workflows import reminders

from .. import factories as f
from ..accounts.conftest import mails_to
from ..conftest import ROOT
from ..forms import post_form


def _start_redis(folder: Path):
    sock = folder / "redis.sock"
    proc = embedded_redis.start(sock, folder)
    embedded_redis.wait_for(sock)
    return proc


def _flask(command: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), "--app", "app", *command.split()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM (a warm shutdown: the current job ends first), then SIGKILL if it lingers on
    a busy machine, so one slow stop never leaves the next tests without their Redis."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def test_mail_survives_redis_stopped_and_restarted(app, monkeypatch):
    town = f.town()
    h = f.household(town)
    # the timer also writes deadline reminders: this test follows the one reset mail
    reminders.set_reminders(h.id, False)
    folder = Path(f"/tmp/pf-outage-{uuid.uuid4().hex[:8]}")
    folder.mkdir()
    url = f"unix://{folder / 'redis.sock'}"
    redis = _start_redis(folder)
    env = {**os.environ, "REDIS_URL": url, "VALIDATE_EVERY": "1", "MAIL_EVERY": "1"}
    app.config["REDIS_URL"] = url
    from jobs.queue import install

    install(app.config)  # this app's effects go to the Redis about to fail
    timer = _flask("timer", env)
    worker = _flask("worker", env)
    try:
        time.sleep(2)
        redis.terminate()
        redis.wait(10)  # Redis is down
        r = post_form(app.test_client(), "/mot-de-passe-oublie", {"email": h._email})
        assert r.status_code == 200
        assert "Si un compte existe pour cette adresse" in r.get_data(as_text=True)
        assert OutgoingMail.select().where(OutgoingMail.sent_at.is_null()).count() == 1
        time.sleep(4)  # longer than a reconnection attempt of each
        assert timer.poll() is None, "the timer died with Redis"
        assert worker.poll() is None, "the worker died with Redis"
        redis = _start_redis(folder)  # Redis is back
        deadline = time.monotonic() + 60
        while not mails_to(app, h._email) and time.monotonic() < deadline:
            time.sleep(0.5)
        [mail] = mails_to(app, h._email)
        assert "nouveau mot de passe" in mail["Subject"]
        assert OutgoingMail.select().where(OutgoingMail.sent_at.is_null()).count() == 0
    finally:
        install(app.config | {"REDIS_URL": os.environ["REDIS_URL"]})
        for proc in (timer, worker):
            _stop(proc)
        redis.terminate()
        redis.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
