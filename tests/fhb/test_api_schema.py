"""The API does what its OpenAPI schema says, for every role: schemathesis generates requests for
every operation from the schema the API serves, sends them to the app in-process, and checks each
answer (no server error; status code, content type, headers and body as documented)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import ignored_auth, positive_data_acceptance

from fhb.models import Municipality, Role
from tests.factories import UserFactory
from tests.fhb.test_boundary_enumerated import world

pytestmark = pytest.mark.django_db
# Examples per operation and role; FHB_SCHEMA_EXAMPLES=200 for a deeper run by hand.
EXAMPLES = int(os.environ.get("FHB_SCHEMA_EXAMPLES", "12"))
# Not checked: that a request valid by the schema is accepted (an id of nobody, a date in the future
# or a second booking at the same time is valid by the schema and refused by the domain, with 400 or
# 404 as documented); and that the API refuses other authentication (schemathesis cannot tell the
# schema's two schemes apart when it changes one of them; test_anonymous_is_refused_everywhere does).
NOT_CHECKED = [positive_data_acceptance, ignored_auth]


@pytest.fixture
def app():
    """The WSGI app, called in-process inside the test's transaction: as Django's test client does,
    the connection is not closed at the end of each request (on PostgreSQL that ended the test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.TEAM_LEADER, Role.MUNICIPALITY_ADMIN])
def test_api_answers_as_its_schema_says(role, frederiksberg, app):
    copenhagen = Municipality.objects.get(code="101")
    world(copenhagen)
    world(frederiksberg)
    token = Token.objects.create(user=UserFactory(role=role, municipality=copenhagen)).key
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    failures, operations = {}, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, excluded_checks=NOT_CHECKED)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure is collected and shown
            failures[operation.label] = str(exc)[:1500]
    assert operations > 40
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())


def test_anonymous_is_refused_everywhere(db, app):
    """Every operation refuses a request without a user with 403 and a JSON body, as the schema
    documents (anonymity is refused before an id or a body is looked at)."""
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    refused = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        values = {}
        for parameter in operation.path_parameters:
            values[parameter.name] = (parameter.definition.get("schema", {}).get("enum") or ["1"])[0]
        response = Client().generic(operation.method.upper(), operation.path.format(**values))
        assert response.status_code == 403, f"{operation.label} anonymous: {response.status_code}"
        assert response["Content-Type"] == "application/json", operation.label
        assert "403" in operation.definition.raw["responses"], operation.label
        refused += 1
    assert refused > 40
