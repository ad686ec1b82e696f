"""Schemathesis against the live schema: generated requests to every endpoint, as a
signed-in student; no response may be a server error or contradict the schema.
Bounded in examples (and so in time)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI app: keep Django from closing the test's database
    connection at the end of each request (Django's own test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def student(hosted, alpha, alice):
    from accounts.services import token_get_or_create

    return {"Authorization": f"Token {token_get_or_create(user=alice).key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_errors_and_matches_its_schema(case, student):
    from django.core.cache import cache

    cache.clear()  # the throttles would otherwise turn later examples into 429s
    case.headers = {**(case.headers or {}), **student}
    response = case.call()
    case.validate_response(
        response,
        checks=(
            schemathesis.checks.not_a_server_error,
            response_schema_conformance,
        ),
    )
