"""One class per environment. Secrets and addresses come only from the environment,
read when the configuration is built (not at import), so tests and workers can set them."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


_NO = ("0", "false", "no", "non", "")


def instance_path() -> Path:
    return Path(os.environ.get("PORTAIL_INSTANCE", ROOT / "instance"))


def instance_secret(folder: Path) -> str:
    """The key of a portal started without SECRET_KEY (`make run`): random, made on the first
    start and kept in the instance folder (readable by its owner only), so that no two
    installations share a known key that would let anyone forge a session or an API token.
    Written aside then linked into place: processes starting at once all read the same key."""
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        aside = folder / f".secret_key.{os.getpid()}"
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another process made it first: theirs is the key
        finally:
            aside.unlink()
    return path.read_text().strip()


def _json(name: str, raw: str) -> dict:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise RuntimeError(f"{name} must be a JSON object")
    return value


def payment_towns(env: Mapping[str, str], backend: str, options: dict) -> dict[str, dict]:
    """The towns with a payment provider of their own: PAYMENT_BACKEND_<SLUG> and
    PAYMENT_OPTIONS_<SLUG>, each falling back on every town's when unset. Keys are the
    <SLUG> part (the town's slug in capitals, other characters as "_": ville-a, VILLE_A)."""
    prefixes = ("PAYMENT_BACKEND_", "PAYMENT_OPTIONS_")
    keys = {name[len(p) :] for name in env for p in prefixes if name.startswith(p)}
    towns = {}
    for key in sorted(k for k in keys if k):
        own_options = env.get(f"PAYMENT_OPTIONS_{key}")
        towns[key] = {
            "backend": env.get(f"PAYMENT_BACKEND_{key}") or backend,
            "options": _json(f"PAYMENT_OPTIONS_{key}", own_options) if own_options else options,
        }
    return towns


class Config:
    TESTING = False
    DEBUG = False
    TIMEZONE = "Europe/Paris"
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The cookie expires with the absolute timeout, counted from the login; idleness is
    # tracked on the server-side session row, so the cookie is not re-sent on every page.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_SECURE = False
    API_TOKEN_MAX_AGE = 12 * 3600
    JSON_SORT_KEYS = False
    # The largest request body (413 beyond); the admin's uploads have their own limits
    # (CONTENT_MAX_PDF, CONTENT_MAX_IMAGE), read per request by web/errors.py.
    MAX_CONTENT_LENGTH = 1024 * 1024

    def __init__(self) -> None:
        env = os.environ.get
        inst = instance_path()
        self.INSTANCE_PATH = str(inst)
        self.SECRET_KEY = env("SECRET_KEY") or instance_secret(inst)
        self.DATABASE_URL = env("DATABASE_URL", f"sqlite:///{inst / 'portail.db'}")
        # The embedded Redis of `make run` listens on a unix socket in the instance folder.
        self.REDIS_URL = env("REDIS_URL", f"unix://{inst / 'redis.sock'}")
        self.QUEUE_NAME = env("QUEUE_NAME", "portail")
        self.VALIDATE_EVERY = int(env("VALIDATE_EVERY", "60"))
        self.VALIDATOR_BATCH = int(env("VALIDATOR_BATCH", "5000"))
        # Seconds between two runs of the timer's mail jobs (what waits in the outbox is sent).
        self.MAIL_EVERY = int(env("MAIL_EVERY", "60"))
        # Lines still pending after this many seconds reach the approvers' worklist too.
        self.STALE_AFTER = int(env("STALE_AFTER", "1800"))
        # Planning pages poll the states of pending cells this often (milliseconds).
        self.POLL_MS = int(env("POLL_MS", "5000"))
        # The address links in e-mails point to (required in production: never trust Host).
        # Development: the address `make run` serves on.
        self.PUBLIC_URL = env("PUBLIC_URL", "") or f"http://localhost:{env('WEB_PORT', '5000')}"
        # A sweep asked for by a send waits until this many seconds after the start of the
        # one before: sends of the same second share one sweep (opening day).
        self.VALIDATE_GAP = float(env("VALIDATE_GAP", "1"))
        # Reverse proxies in front of the web processes whose X-Forwarded-* headers are
        # trusted (0: none; 1: one nginx; 2: a load balancer then nginx...).
        self.PROXY_COUNT = int(env("PROXY_COUNT", "0"))
        # Requests at work at once in each web process; the others wait a moment for a slot
        # or are answered 503 with Retry-After at once (web/gate.py). Empty: no gate.
        slots = env("GATE_SLOTS", "4").strip()
        self.GATE_SLOTS = int(slots) if slots else None
        queue = env("GATE_QUEUE", "").strip()  # default: twice the slots
        self.GATE_QUEUE = int(queue) if queue else None
        self.GATE_RETRY_AFTER = int(env("GATE_RETRY_AFTER", "10"))
        # Mail: SMTP when SMTP_HOST is set, otherwise .eml files in instance/outbox/.
        self.SMTP_HOST = env("SMTP_HOST", "").strip()
        self.SMTP_STARTTLS = env("SMTP_STARTTLS", "1").strip().lower() not in _NO
        self.SMTP_PORT = int(env("SMTP_PORT", "587" if self.SMTP_STARTTLS else "25"))
        self.SMTP_USER = env("SMTP_USER", "")
        self.SMTP_PASSWORD = env("SMTP_PASSWORD", "")
        self.MAIL_FROM = env("MAIL_FROM", "Portail Famille <ne-pas-repondre@portail-famille.fr>")
        # Online payments (eopayment): every town's backend and its options (JSON), and the
        # towns that have their own (PAYMENT_BACKEND_<SLUG>, PAYMENT_OPTIONS_<SLUG>).
        self.PAYMENT_BACKEND = env("PAYMENT_BACKEND") or "dummy"
        self.PAYMENT_OPTIONS = _json("PAYMENT_OPTIONS", env("PAYMENT_OPTIONS") or "{}")
        # The dummy backend's "bank" page (never in production).
        self.PAYMENT_SIMULATOR = True
        self.PAYMENT_TOWNS = payment_towns(os.environ, self.PAYMENT_BACKEND, self.PAYMENT_OPTIONS)
        # Content: where documents' PDFs and news images are kept, and their size limits.
        self.CONTENT_DIR = env("CONTENT_DIR", "") or str(inst / "content")
        self.CONTENT_MAX_PDF = int(env("CONTENT_MAX_PDF", str(10 * 1024 * 1024)))
        self.CONTENT_MAX_IMAGE = int(env("CONTENT_MAX_IMAGE", str(2 * 1024 * 1024)))

    def __getitem__(self, key: str):
        """A setting read as from Flask's config (`cfg["PAYMENT_TOWNS"]`), so code given
        either a job's configuration or an app's reads it the same way."""
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "test-secret")
        self.VALIDATE_GAP = float(os.environ.get("VALIDATE_GAP", "0"))
        self.PUBLIC_URL = os.environ.get("PUBLIC_URL", "") or "http://localhost"
        # Browser tests load pages, scripts and polls at once: no overload in tests but the
        # ones that simulate it.
        self.GATE_SLOTS = int(os.environ.get("GATE_SLOTS", "64"))


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    def __init__(self) -> None:
        super().__init__()
        for name in ("SECRET_KEY", "PUBLIC_URL"):
            if not os.environ.get(name):
                raise RuntimeError(f"{name} must be set in production")
        self.PAYMENT_SIMULATOR = False


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> Config:
    name = name or os.environ.get("PORTAIL_CONFIG", "development")
    return CONFIGS[name]()
