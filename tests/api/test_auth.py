"""Bearer tokens: the issue_token command, and every way a request can fail to authenticate."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jiliang.core.api_auth import digest, token_issue, token_revoke
from jiliang.core.models import ApiToken, AuditEvent

URL = "/api/v1/instruments"


def _unauthorized(response):
    assert response.status_code == 401
    assert response.json() == {"detail": "未提供令牌或令牌无效", "errors": []}
    assert response["WWW-Authenticate"] == "Bearer"


def test_issue_token_prints_only_a_token_that_works(city, client):
    out = StringIO()
    call_command("issue_token", "county_reg_a", stdout=out)
    token = out.getvalue().strip()
    assert "\n" not in token and token.startswith("jl_") and len(token) > 40
    response = client.get(URL, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    # Only a digest is stored, never the token itself.
    row = ApiToken.objects.get(user=city.county_regulator_a)
    assert row.digest == digest(token) and token not in (row.digest, row.prefix)


def test_issue_token_is_audited(city):
    call_command("issue_token", "owner_a", stdout=StringIO())
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.actor is None and event.actor_repr == "system"
    row = ApiToken.objects.get(user__username="owner_a")
    assert event.changes == {"user": "owner_a", "expires_at": row.expires_at.isoformat()}


def test_issue_token_for_an_unknown_user_fails_with_a_clear_message(city):
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        call_command("issue_token", "nobody", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_issue_token_refuses_an_inactive_user(city):
    city.owner_b_user.is_active = False
    city.owner_b_user.save()
    with pytest.raises(CommandError, match="已停用"):
        call_command("issue_token", "owner_b", stdout=StringIO())


def test_a_request_without_a_token_is_401_in_the_error_shape(city, client):
    _unauthorized(client.get(URL))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "jl_just-the-token-without-a-scheme",
        "Bearer jl_" + "x" * 5000,
        "Bearer 令牌",
    ],
)
def test_a_malformed_authorization_header_is_401(city, client, header):
    _unauthorized(client.get(URL, headers={"authorization": header}))


def test_an_unknown_token_is_401(city, client):
    _unauthorized(client.get(URL, headers={"authorization": "Bearer jl_not-a-token-we-ever-issued"}))


def test_a_revoked_token_is_401(city, client):
    token = token_issue(user=city.city_regulator, actor=city.admin)
    headers = {"authorization": f"Bearer {token}"}
    assert client.get(URL, headers=headers).status_code == 200
    token_revoke(token=ApiToken.objects.get(digest=digest(token)), actor=city.admin)
    _unauthorized(client.get(URL, headers=headers))
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=city.admin).count() == 1


def test_a_token_of_a_deactivated_user_is_401(city, client):
    token = token_issue(user=city.owner_a_user, actor=None)
    city.owner_a_user.is_active = False
    city.owner_a_user.save()
    _unauthorized(client.get(URL, headers={"authorization": f"Bearer {token}"}))


def test_a_logged_in_session_is_not_a_token(city, client):
    """The API ignores the page session: a browser's cookie must not stand in for a bearer token."""
    client.force_login(city.city_regulator)
    _unauthorized(client.get(URL))


def test_the_openapi_document_needs_no_token(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/instruments" in schema["paths"]
    assert schema["components"]["securitySchemes"]["BearerToken"] == {"type": "http", "scheme": "bearer"}


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/instruments/1/unknown", "/api/v1/instruments/"])
def test_an_unknown_address_under_the_api_is_a_404_in_the_error_shape(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到", "errors": []}


def test_the_interactive_docs_load_no_asset_from_a_cdn(client, db):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/" in html
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
