"""Schemathesis over the live OpenAPI schema: whatever a client sends, anonymous
or signed in, the API answers without a server error.

Only 5xx fail here: whether every status is documented is the API contract's
business, tested apart.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from shop.accounts.factories import UserFactory

# Loaded when the tests are collected: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json", get_wsgi_application()
)

BOUNDED = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def connection_outlives_requests():
    """As in Django's test client: a request must not close the connection
    holding the test's transaction when it starts or ends."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(db):
    return Token.objects.create(user=UserFactory()).key


@schema.parametrize()
@BOUNDED
def test_no_input_makes_a_server_error_anonymous(case, db):
    case.call_and_validate(checks=[not_a_server_error])


@schema.parametrize()
@BOUNDED
def test_no_input_makes_a_server_error_signed_in(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"}, checks=[not_a_server_error]
    )
