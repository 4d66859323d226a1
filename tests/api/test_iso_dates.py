"""Every date the API takes (query parameters and JSON bodies) is an ISO date, YYYY-MM-DD, and nothing else.

Pydantic alone reads a number, or a string of digits, as a Unix timestamp: ``valid_on=0`` was accepted as
1970-01-01. Every other form is a 422 in the error shape naming the field, with "请输入日期（YYYY-MM-DD）".
"""

from __future__ import annotations

import pytest

MESSAGE = "请输入日期（YYYY-MM-DD）"
BAD_QUERY = ["0", "1700000000", "2026-13-01", "", "20260301", "2026-03-01T00:00:00", "2026-3-1"]
BAD_JSON = [0, 1700000000, 86400, "0", "1700000000", "2026-13-01", "", "2026-03-01T00:00:00", True]

# (path, date parameter, other parameters): every query parameter that is a date.
QUERIES = [
    ("/api/v1/standards", "valid_on", {}),
    ("/api/v1/standards/1", "valid_on", {}),
    ("/api/v1/authorizations", "in_force_on", {}),
    ("/api/v1/coverage", "date", {}),
    ("/api/v1/coverage/gaps", "date", {}),
    ("/api/v1/standards/1/recall", "date_from", {"date_to": "2026-03-31"}),
    ("/api/v1/standards/1/recall", "date_to", {"date_from": "2026-03-01"}),
    ("/api/v1/certificates", "issued_from", {}),
    ("/api/v1/certificates", "issued_to", {}),
]


@pytest.fixture
def regulator(city, api):
    return api(city.city_regulator)


def _refused(response, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "输入无效"
    assert {"field": field, "message": MESSAGE} in body["errors"], body


@pytest.mark.parametrize("value", BAD_QUERY)
@pytest.mark.parametrize(("path", "name", "others"), QUERIES)
def test_a_query_date_that_is_not_iso_is_refused(regulator, path, name, others, value):
    _refused(regulator.get(path, **others, **{name: value}), name)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/standards", "valid_on"),
        ("/api/v1/authorizations", "in_force_on"),
        ("/api/v1/coverage", "date"),
        ("/api/v1/certificates", "issued_from"),
    ],
)
def test_an_iso_date_is_taken(regulator, path, name):
    assert regulator.get(path, **{name: "2026-03-01"}).status_code == 200


@pytest.mark.parametrize("value", BAD_JSON)
@pytest.mark.parametrize(
    ("path", "name", "body"),
    [
        ("/api/v1/instruments", "registered_on", {"usage": "trade", "name": "电子秤", "serial_number": "D-1"}),
        ("/api/v1/instruments", "last_verified_on", {"usage": "trade", "name": "电子秤", "serial_number": "D-1"}),
        ("/api/v1/requests", "preferred_from", {"service": "verification", "place": "send_in"}),
        ("/api/v1/certificates/1/correct", "performed_on", {"reason": "更正"}),
    ],
)
def test_a_body_date_that_is_not_iso_is_refused(city, api, path, name, body, value):
    _refused(api(city.owner_a_user).post(path, {**body, name: value}), name)


def test_an_iso_date_in_a_body_is_taken(city, api):
    response = api(city.owner_a_user).post(
        "/api/v1/instruments",
        {"usage": "trade", "name": "电子秤", "serial_number": "D-1", "registered_on": "2026-03-01"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["registered_on"] == "2026-03-01"
