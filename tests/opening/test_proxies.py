"""Who the client is: behind PROXY_COUNT trusted proxies the parent's address is read from
X-Forwarded-For; without them, a header the client sent itself is ignored."""

from __future__ import annotations

import pytest

from models.accounts import ConnectionLog

from .. import factories as f
from ..forms import login


def _logged_ip(app, proxies: int, forwarded: str | None) -> str:
    app.config["PROXY_COUNT"] = proxies
    from web.proxies import init_app

    init_app(app)
    h = f.household(f.town())
    client = app.test_client()
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the nearest proxy, or the client
    login(client, h._email, f.PASSWORD, headers=headers)
    return ConnectionLog.select().order_by(ConnectionLog.id.desc()).get().ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "seen"),
    [
        (0, None, "10.0.0.2"),
        (0, "203.0.113.7", "10.0.0.2"),  # no proxy trusted: the header is a client's lie
        (1, "203.0.113.7", "203.0.113.7"),  # one nginx
        (1, "198.51.100.9, 203.0.113.7", "203.0.113.7"),  # the client's own value is skipped
        (2, "198.51.100.9, 203.0.113.7", "198.51.100.9"),  # a load balancer, then nginx
    ],
)
def test_the_client_address_behind_trusted_proxies(app, proxies, forwarded, seen):
    assert _logged_ip(app, proxies, forwarded) == seen


def test_the_login_limit_per_address_counts_the_parent_behind_the_proxy(app):
    app.config["PROXY_COUNT"] = 1
    app.config["RATELIMIT_LOGIN_IP"] = "3 per minute"
    from web.proxies import init_app

    init_app(app)
    f.town()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    for _ in range(3):
        r = login(client, "x@exemple.fr", "faux", headers={"X-Forwarded-For": "203.0.113.7"})
        assert r.status_code == 200
    blocked = login(client, "y@exemple.fr", "faux", headers={"X-Forwarded-For": "203.0.113.7"})
    assert blocked.status_code == 429
    # another parent behind the same proxy is not the same address
    other = login(client, "z@exemple.fr", "faux", headers={"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 200
