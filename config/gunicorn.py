"""gunicorn's settings for production: `gunicorn -c config/gunicorn.py 'app:create_app()'`.

Threads, not one process per request at a time: a `gthread` worker takes every connection
as it comes and hands it to a thread, so a request waits in the app's admission gate
(web/gate.py), bounded and answered 503 with Retry-After when it would wait too long,
rather than in the kernel's listen queue, where nothing bounds the wait (the 30 s
timeouts of an opening day). Threads waiting for a slot cost no CPU; the Argon2 hash of a
login releases the GIL, so a process hashes and serves pages at once.

Two processes per core would only fight over the CPU the database needs too: on the
2-core reference machine, WEB_PROCESSES=2 and GATE_SLOTS=4 each (see the README's
benchmark figures). Every setting can be changed from the environment."""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_PROCESSES", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "32"))
# Keep-alive connections wait in the worker's poller, not in a thread.
keepalive = 5
worker_connections = 1000
backlog = 2048
timeout = 60
graceful_timeout = 30
# The app is built once in the master, then forked: faster start, shared pages.
preload_app = True
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
