"""The API tried at random from its own OpenAPI document (schemathesis): whatever a client
sends, never a server error, and every answer as the document says. Bounded in examples
(and derandomized) so it stays well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from blueprints.api.openapi import build_spec

from .. import factories as f

schema = schemathesis.openapi.from_dict(build_spec())


def served(wsgi):
    """The app as a WSGI server runs it: each answer read, then closed (schemathesis's
    client leaves them open, which would keep the admission gate's slots taken)."""

    def app(environ, start_response):
        body = wsgi(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            getattr(body, "close", lambda: None)()

    return app


@pytest.fixture
def token(app):
    h = f.household(f.town(), children=("Léa",))
    answer = app.test_client().post(
        "/api/v1/auth/token", json={"email": h._email, "password": f.PASSWORD}
    )
    return answer.get_json()["access_token"]


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_never_fails_and_answers_as_documented(case, app, token):
    # Every check but "schema-valid data is accepted": dates outside 1900-2199, a period
    # longer than the API serves or ending before it starts are refused (400) on purpose,
    # which OpenAPI cannot say.
    wsgi = served(app)
    case.operation.schema.app = case.operation.app = wsgi  # its probes (no token) too
    case.call_and_validate(
        app=wsgi,
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
