"""Schemathesis over /api/v1/openapi.json: no operation answers a server error, whatever it is sent, and every
answer (errors included) is one the document declares, in the declared shape.

The requests go through the WSGI application in this process, on the test's own database connection, so the data
created first is there and is rolled back afterwards like in any other test (no flush, the catalog stays).
"""

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
from jiliang.verification.services.drafts import draft_save
from jiliang.wsgi import application

from ..builders.verification import PASSING_POINTS, make_request, overdue_scales, sign_through, staff_institute
from ..factories import InstrumentFactory, catalog_item

# Examples per operation, persona and generation mode: enough to find type, range, encoding and scope mistakes in
# seconds. Raise it when changing schemas: JILIANG_FUZZ_EXAMPLES=500 pytest tests/api/test_schemathesis.py
EXAMPLES = int(os.environ.get("JILIANG_FUZZ_EXAMPLES", "25"))
# No 5xx; every status documented; every body (errors included) matches its documented schema.
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def same_connection(db):
    """Django's own test client does this too: a finished request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def data(city, lab):
    InstrumentFactory(owner=city.owner_a, serial_number="S-A-1")
    InstrumentFactory(owner=city.owner_b, serial_number="S-B-1", catalog_item=catalog_item("08"))
    InstrumentFactory(owner=city.owner_b, serial_number="S-B-2", catalog_item=None, usage="other")
    # A request in work with one certificate issued, so the one window's and the certificates' endpoints have
    # something to find (and to refuse).
    staffed = staff_institute(city, lab)
    scales = overdue_scales(city, lab.today)
    _request, items = make_request(city.owner_a_user, city.institute, scales)
    draft = draft_save(
        actor=staffed.verifier.user,
        request_item_id=items[0].pk,
        performed_on=lab.today,
        standard_ids=[lab.city_standard.pk],
        checker_id=staffed.checker.pk,
        approver_id=staffed.approver.pk,
        points=PASSING_POINTS,
        resolution="0.001",
    )
    sign_through(draft, staffed.checker, staffed.approver)
    return city


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} >= {
        ("GET", "/api/v1/instruments"),
        ("GET", "/api/v1/instruments/{instrument_id}"),
        ("POST", "/api/v1/instruments"),
        ("POST", "/api/v1/instruments/import"),
    }
    return operations


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("persona", ["city_regulator", "owner_a", "institute"])
def test_no_operation_answers_a_server_error(same_connection, data, persona, mode):
    headers = {"Authorization": f"Bearer {token_issue(user=data.personas[persona], actor=None)}"}
    for operation in _operations():

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
