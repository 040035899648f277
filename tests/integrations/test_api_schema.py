"""Schemathesis against the API's own OpenAPI schema: generated requests to every operation
(valid and not) never get a 500, and every answer matches the schema (status code, content
type, body). Then the property that matters most: whatever is asked, a token sees only its
own district."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integrations.conftest import token_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _the_test_keeps_its_connection():
    """Leap's WSGI application closes old database connections as each request starts and
    ends, which on PostgreSQL would end the test's own transaction; Django's test client
    turns that off in the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def district_token(riverside, hillcrest):
    """A token of Riverside's, and everything of Hillcrest's it must never see."""
    _, secret = token_for(riverside)
    foreign = {
        *(str(membership.pk) for membership in hillcrest.members),
        *(str(assertion.uuid) for assertion in hillcrest.badges),
        hillcrest.district.slug,
        *(membership.user.email for membership in hillcrest.members),
    }
    return secret, foreign


def api_schema():
    """The schema as /api/v1/schema serves it (drawn here: collection may not use the
    database), answered in-process by Leap's WSGI application."""
    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = get_wsgi_application()
    return loaded


schema = api_schema()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_every_operation_answers_as_its_schema_says(case, district_token):
    secret, foreign = district_token
    response = case.call(headers={"Authorization": f"Bearer {secret}"})
    case.validate_response(response, checks=CHECKS)
    assert response.status_code < 500
    if response.status_code == 200:
        body = response.text
        # Ids are numbers and uuids: compare them as whole JSON values, e-mails as text.
        leaked = [
            value
            for value in foreign
            if f'"{value}"' in body or f'"id":{value},' in body.replace(" ", "")
        ]
        assert not leaked, leaked
