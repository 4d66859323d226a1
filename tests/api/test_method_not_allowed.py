"""A method an endpoint does not take answers 405 in the API's one error shape, with the Allow header, to anyone
(it says only which methods the address takes, as the public OpenAPI document does)."""

from __future__ import annotations

import pytest

from jiliang.core.api_auth import token_issue


def _methods(header: str) -> set[str]:
    return {m.strip() for m in header.split(",") if m.strip()}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/v1/instruments", {"GET", "POST"}),
        ("put", "/api/v1/instruments/1", {"GET"}),
        ("patch", "/api/v1/standards", {"GET"}),
        ("get", "/api/v1/instruments/import", {"POST"}),
        ("get", "/api/v1/certificates/1/revoke", {"POST"}),
        ("post", "/api/v1/public/certificates/abcdefghijklmnop", {"GET"}),
    ],
)
@pytest.mark.parametrize("persona", ["anonymous", "owner_a"])
def test_a_wrong_method_is_405_in_the_error_shape_with_allow(city, client, method, path, allowed, persona):
    user = city.personas[persona]
    headers = {} if user is None else {"authorization": f"Bearer {token_issue(user=user, actor=None)}"}
    response = getattr(client, method)(path, headers=headers)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert _methods(response["Allow"]) == allowed
    body = response.json()
    assert body["detail"] == "不支持此请求方法"
    assert body["errors"] == [{"field": "", "message": f"可用的方法：{', '.join(sorted(allowed))}"}]


def test_a_right_method_still_reaches_the_endpoint(city, client):
    token = token_issue(user=city.owner_a_user, actor=None)
    assert client.get("/api/v1/instruments", headers={"authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/v1/instruments").status_code == 401
