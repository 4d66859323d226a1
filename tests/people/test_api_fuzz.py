"""Schemathesis over the people operations only: no server error whatever they are sent, and every answer is one
the OpenAPI document declares, in its declared shape (tests/api/test_schemathesis.py covers every operation; this
one keeps the people endpoints checked with staff data present)."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from jiliang.core.api_auth import token_issue
from jiliang.wsgi import application

from .conftest import make_qualification

EXAMPLES = int(os.environ.get("JILIANG_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
PATHS = {"/api/v1/people", "/api/v1/people/{person_id}", "/api/v1/qualifications"}


@pytest.fixture
def same_connection(db):
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("persona", ["city_regulator", "owner_a"])
def test_people_operations_never_answer_a_server_error(same_connection, city, staff, persona, mode):
    make_qualification(staff.person_a, "F-1", valid_days=10)
    headers = {"Authorization": f"Bearer {token_issue(user=city.personas[persona], actor=None)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path in PATHS]
    assert {op.path for op in operations} == PATHS
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
