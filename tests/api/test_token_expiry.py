"""API tokens expire: a token past its ``expires_at`` is refused with the API's 401, and its first refused use is
recorded once (the token is revoked as expired, with an audit event)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiliang.core import clock
from jiliang.core.api_auth import digest, token_issue
from jiliang.core.models import ApiToken, AuditEvent

URL = "/api/v1/instruments"


def _get(client, token):
    return client.get(URL, headers={"authorization": f"Bearer {token}"})


def _unauthorized(response):
    assert response.status_code == 401
    assert response.json() == {"detail": "未提供令牌或令牌无效", "errors": []}
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_token_issued_ten_years_ago_is_refused(city, client):
    """The defect: tokens never expired."""
    token = token_issue(user=city.city_regulator, actor=None)
    with clock.travel(timezone.now() + timedelta(days=3650)):
        _unauthorized(_get(client, token))


def test_a_token_lives_the_configured_number_of_days(city):
    before = timezone.now()
    token = token_issue(user=city.city_regulator, actor=None)
    row = ApiToken.objects.get(digest=digest(token))
    days = timedelta(days=django_settings.JILIANG_API_TOKEN_DAYS)
    assert before + days <= row.expires_at <= timezone.now() + days


def test_a_token_works_until_just_before_its_expiry(city, client):
    token = token_issue(user=city.city_regulator, actor=None)
    expires_at = ApiToken.objects.get(digest=digest(token)).expires_at
    with clock.travel(expires_at - timedelta(minutes=1)):
        assert _get(client, token).status_code == 200


def test_a_token_past_its_expiry_is_401_in_the_error_shape(city, client):
    token = token_issue(user=city.city_regulator, actor=None)
    later = timezone.now() + timedelta(days=django_settings.JILIANG_API_TOKEN_DAYS, minutes=1)
    with clock.travel(later):
        _unauthorized(_get(client, token))


def test_the_first_refused_use_of_an_expired_token_revokes_it_once_and_audits_it(city, client):
    token = token_issue(user=city.owner_a_user, actor=None)
    row = ApiToken.objects.get(digest=digest(token))
    with clock.travel(row.expires_at + timedelta(seconds=1)):
        _unauthorized(_get(client, token))
        _unauthorized(_get(client, token))
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoke_reason == ApiToken.RevokeReason.EXPIRED
    (event,) = AuditEvent.objects.filter(action="api_token.expire")
    assert event.actor is None and event.object_id == str(row.pk) and event.changes["user"] == "owner_a"


def test_issue_token_days_sets_the_lifetime_and_the_audit_says_so(city):
    out = StringIO()
    call_command("issue_token", "owner_a", "--days", "7", stdout=out)
    row = ApiToken.objects.get(user=city.owner_a_user)
    assert timedelta(days=7) - timedelta(minutes=1) < row.expires_at - timezone.now() <= timedelta(days=7)
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.changes["expires_at"] == row.expires_at.isoformat()


@pytest.mark.parametrize("days", ["0", "-3"])
def test_issue_token_refuses_a_lifetime_below_one_day(city, days):
    with pytest.raises(CommandError, match="天数"):
        call_command("issue_token", "owner_a", "--days", days, stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_issue_token_refuses_a_lifetime_beyond_the_maximum(city):
    too_long = str(django_settings.JILIANG_API_TOKEN_MAX_DAYS + 1)
    with pytest.raises(CommandError, match=str(django_settings.JILIANG_API_TOKEN_MAX_DAYS)):
        call_command("issue_token", "owner_a", "--days", too_long, stdout=StringIO())
    assert not ApiToken.objects.exists()
