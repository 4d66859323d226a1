"""API tokens: revoked on a password change (every path) and on deactivation, the revoke_token command, the page
where a user sees, issues and revokes their own tokens, and the admin's token view. Every issue and revocation is
audited."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from jiliang.core.api_auth import digest, token_issue
from jiliang.core.models import ApiToken, AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1/instruments"
NEW_PASSWORD = "Quite-new-Secret-981"


def _works(client, token) -> bool:
    status = client.get(API, headers={"authorization": f"Bearer {token}"}).status_code
    assert status in (200, 401)
    return status == 200


def _row(token) -> ApiToken:
    return ApiToken.objects.get(digest=digest(token))


def _revocations(**filters):
    return list(AuditEvent.objects.filter(action="api_token.revoke", **filters).order_by("id"))


# -- password change: every path --------------------------------------------------------------------------------------


def test_changing_ones_password_on_the_page_revokes_ones_tokens(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    other = token_issue(user=city.owner_b_user, actor=None)
    client.force_login(city.owner_a_user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not _works(client, token)
    assert _works(client, other)
    assert _row(token).revoke_reason == ApiToken.RevokeReason.PASSWORD_CHANGED
    (event,) = _revocations()
    assert event.actor == city.owner_a_user and event.changes["reason"] == "password_changed"
    change = AuditEvent.objects.get(action="user.password_change")
    assert change.actor == city.owner_a_user and change.object_id == str(city.owner_a_user.pk)
    assert NEW_PASSWORD not in str(change.changes)


def test_the_password_page_says_how_many_tokens_were_revoked(client, city):
    token_issue(user=city.owner_a_user, actor=None)
    token_issue(user=city.owner_a_user, actor=None)
    client.force_login(city.owner_a_user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "已同时吊销您的 2 个 API 令牌" in response.content.decode()


def test_an_admin_setting_a_users_password_revokes_the_users_tokens(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    client.force_login(city.admin)
    response = client.post(
        f"/admin/core/user/{city.owner_a_user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not _works(client, token)
    (event,) = _revocations()
    assert event.actor == city.admin
    assert AuditEvent.objects.get(action="user.password_change").actor == city.admin


def test_an_admin_disabling_a_users_password_revokes_the_users_tokens(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    client.force_login(city.admin)
    client.post(
        f"/admin/core/user/{city.owner_a_user.pk}/password/", {"usable_password": "false", "unset-password": "1"}
    )
    city.owner_a_user.refresh_from_db()
    assert not city.owner_a_user.has_usable_password()
    assert not _works(client, token)
    assert _revocations()[0].actor == city.admin


def test_user_set_password_service_revokes_the_users_tokens(client, city):
    from jiliang.core.accounts import user_set_password

    token = token_issue(user=city.institute_user, actor=None)
    user_set_password(user=city.institute_user, raw_password=NEW_PASSWORD, actor=city.admin)
    assert not _works(client, token)
    assert _revocations()[0].actor == city.admin
    city.institute_user.refresh_from_db()
    assert city.institute_user.check_password(NEW_PASSWORD)


def test_a_password_set_by_any_code_revokes_the_tokens_as_the_system(client, city):
    """``manage.py changepassword`` and any other code that calls set_password and save."""
    token = token_issue(user=city.owner_b_user, actor=None)
    city.owner_b_user.set_password(NEW_PASSWORD)
    city.owner_b_user.save()
    assert not _works(client, token)
    (event,) = _revocations()
    assert event.actor is None and event.actor_repr == "system"


class FastPBKDF2(PBKDF2PasswordHasher):
    iterations = 2


def test_a_password_rehash_at_login_does_not_revoke_tokens(client, city, settings):
    """Django re-encodes a password with the preferred hasher when it checks it; the password stays the same."""
    settings.PASSWORD_HASHERS = [
        "tests.core.test_tokens.FastPBKDF2",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    token = token_issue(user=city.owner_a_user, actor=None)
    assert client.post(reverse("login"), {"username": "owner_a", "password": PASSWORD}).status_code == 302
    city.owner_a_user.refresh_from_db()
    assert city.owner_a_user.password.startswith("pbkdf2_sha256$")
    assert _works(client, token)
    assert not _revocations()


def test_saving_a_user_without_touching_the_password_keeps_the_tokens(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    city.owner_a_user.first_name = "新"
    city.owner_a_user.save()
    assert _works(client, token)


# -- deactivation -----------------------------------------------------------------------------------------------------


def test_deactivating_a_user_revokes_their_tokens_for_good(client, city):
    """Refusing an inactive user's token is not enough: reactivating the user must not bring the token back."""
    token = token_issue(user=city.owner_a_user, actor=None)
    city.owner_a_user.is_active = False
    city.owner_a_user.save()
    city.owner_a_user.is_active = True
    city.owner_a_user.save()
    assert not _works(client, token)
    assert _row(token).revoke_reason == ApiToken.RevokeReason.DEACTIVATED
    assert _revocations()[0].changes["reason"] == "deactivated"


def test_an_admin_deactivating_a_user_revokes_and_audits_as_the_admin(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    client.force_login(city.admin)
    url = f"/admin/core/user/{city.owner_a_user.pk}/change/"
    form = client.get(url).context["adminform"].form
    # The form as the admin's page fills it, with "active" unticked (an unticked checkbox is not sent).
    skip = {"password", "groups", "user_permissions", "is_active", "last_login", "date_joined"}
    data = {k: v for k, v in form.initial.items() if v is not None and k not in skip}
    data.update({"organization": city.owner_a.pk, "date_joined_0": "2024-01-01", "date_joined_1": "08:00:00"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    city.owner_a_user.refresh_from_db()
    assert not city.owner_a_user.is_active
    assert _row(token).revoked_at is not None
    assert _revocations()[0].actor == city.admin


# -- revoke_token -----------------------------------------------------------------------------------------------------


def test_revoke_token_by_prefix(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    keep = token_issue(user=city.owner_a_user, actor=None)
    out = StringIO()
    call_command("revoke_token", _row(token).prefix, stdout=out)
    assert _row(token).prefix in out.getvalue()
    assert not _works(client, token) and _works(client, keep)
    (event,) = _revocations()
    assert event.actor is None and event.object_id == str(_row(token).pk)


def test_revoke_token_takes_the_whole_token_too(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    call_command("revoke_token", token, stdout=StringIO())
    assert not _works(client, token)


def test_revoke_token_all_of_a_users_tokens(client, city):
    mine = [token_issue(user=city.owner_a_user, actor=None) for _ in range(3)]
    other = token_issue(user=city.owner_b_user, actor=None)
    out = StringIO()
    call_command("revoke_token", "--user", "owner_a", "--all", stdout=out)
    assert "3" in out.getvalue()
    assert not any(_works(client, t) for t in mine)
    assert _works(client, other)
    assert len(_revocations()) == 3


def test_revoke_token_refuses_an_unknown_or_ambiguous_prefix_and_a_missing_target(city):
    first = token_issue(user=city.owner_a_user, actor=None)
    second = token_issue(user=city.owner_b_user, actor=None)
    ApiToken.objects.filter(digest=digest(second)).update(prefix=_row(first).prefix)
    with pytest.raises(CommandError, match="多个"):
        call_command("revoke_token", _row(first).prefix, stdout=StringIO())
    with pytest.raises(CommandError, match="没有"):
        call_command("revoke_token", "jl_zzzzz", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("revoke_token", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("revoke_token", "--user", "owner_a", stdout=StringIO())
    with pytest.raises(CommandError, match="nobody"):
        call_command("revoke_token", "--user", "nobody", "--all", stdout=StringIO())
    assert not _revocations()


def test_revoke_token_with_user_narrows_an_ambiguous_prefix(client, city):
    first = token_issue(user=city.owner_a_user, actor=None)
    second = token_issue(user=city.owner_b_user, actor=None)
    ApiToken.objects.filter(digest=digest(second)).update(prefix=_row(first).prefix)
    call_command("revoke_token", _row(first).prefix, "--user", "owner_b", stdout=StringIO())
    assert _works(client, first) and not _works(client, second)


# -- the page ---------------------------------------------------------------------------------------------------------


TOKENS = "/accounts/tokens/"


def test_anonymous_visitors_are_sent_to_the_login_page(client, city):
    for method, url in [
        ("get", TOKENS),
        ("post", TOKENS + "new/"),
        ("get", TOKENS + "1/revoke/"),
        ("post", TOKENS + "1/revoke/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_a_user_sees_their_own_tokens_and_no_one_elses(client, city):
    mine = token_issue(user=city.owner_a_user, actor=None)
    theirs = token_issue(user=city.owner_b_user, actor=None)
    client.force_login(city.owner_a_user)
    body = client.get(TOKENS).content.decode()
    assert _row(mine).prefix in body
    assert _row(theirs).prefix not in body
    assert mine not in body  # only the prefix, never the token


def test_the_list_says_which_tokens_are_revoked_or_expired(client, city):
    from datetime import timedelta

    from django.utils import timezone

    revoked = token_issue(user=city.owner_a_user, actor=None)
    expired = token_issue(user=city.owner_a_user, actor=None)
    from jiliang.core.api_auth import token_revoke

    token_revoke(token=_row(revoked), actor=city.owner_a_user)
    ApiToken.objects.filter(digest=digest(expired)).update(expires_at=timezone.now() - timedelta(days=1))
    client.force_login(city.owner_a_user)
    body = client.get(TOKENS).content.decode()
    assert "已吊销" in body and "已过期" in body


def test_a_user_issues_a_token_shown_once(client, city):
    client.force_login(city.owner_a_user)
    response = client.post(TOKENS + "new/", {"days": "30"})
    assert response.status_code == 200
    body = response.content.decode()
    (row,) = ApiToken.objects.filter(user=city.owner_a_user)
    token = re.search(r'data-testid="new-token">(jl_[A-Za-z0-9_-]+)<', body).group(1)
    assert digest(token) == row.digest
    assert "只显示这一次" in body
    client.logout()
    assert _works(client, token)
    client.force_login(city.owner_a_user)
    assert token not in client.get(TOKENS).content.decode()
    event = AuditEvent.objects.get(action="api_token.issue")
    assert event.actor == city.owner_a_user


def test_issuing_refuses_a_lifetime_beyond_the_maximum(client, city, settings):
    client.force_login(city.owner_a_user)
    response = client.post(TOKENS + "new/", {"days": str(settings.JILIANG_API_TOKEN_MAX_DAYS + 1)})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert 'class="form-errors"' in response.content.decode() or "has-error" in response.content.decode()


def test_revoking_asks_for_confirmation_first(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    client.force_login(city.owner_a_user)
    response = client.get(f"{TOKENS}{_row(token).pk}/revoke/")
    assert response.status_code == 200
    body = response.content.decode()
    assert _row(token).prefix in body and "不可撤销" in body and 'method="post"' in body
    assert _row(token).revoked_at is None


def test_a_user_revokes_their_own_token(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    client.force_login(city.owner_a_user)
    response = client.post(f"{TOKENS}{_row(token).pk}/revoke/")
    assert response.status_code == 302 and response.url == TOKENS
    assert _row(token).revoke_reason == ApiToken.RevokeReason.MANUAL
    (event,) = _revocations()
    assert event.actor == city.owner_a_user
    client.logout()
    assert not _works(client, token)


def test_revoking_twice_is_recorded_once(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    client.force_login(city.owner_a_user)
    client.post(f"{TOKENS}{_row(token).pk}/revoke/")
    client.post(f"{TOKENS}{_row(token).pk}/revoke/")
    assert len(_revocations()) == 1


@pytest.mark.parametrize("persona", ["owner_b_user", "county_regulator_a", "institute_user", "admin"])
def test_no_one_else_sees_or_revokes_a_users_token(client, city, persona):
    """Not even the admin on this page: the admin revokes through the audited admin action."""
    token = token_issue(user=city.owner_a_user, actor=None)
    client.force_login(getattr(city, persona))
    url = f"{TOKENS}{_row(token).pk}/revoke/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert _row(token).revoked_at is None
    assert not _revocations()


def test_revoking_needs_the_csrf_token(city):
    token = token_issue(user=city.owner_a_user, actor=None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.owner_a_user)
    assert client.post(f"{TOKENS}{_row(token).pk}/revoke/").status_code == 403
    assert client.post(TOKENS + "new/", {"days": "30"}).status_code == 403
    assert _row(token).revoked_at is None
    assert ApiToken.objects.count() == 1


def test_the_list_is_a_get_only_page(client, city):
    client.force_login(city.owner_a_user)
    assert client.post(TOKENS).status_code == 405
    assert client.get(TOKENS + "new/").status_code == 405


# -- the admin's token view -------------------------------------------------------------------------------------------


def test_the_admin_revokes_with_an_audited_action(client, city):
    tokens = [token_issue(user=city.owner_a_user, actor=None) for _ in range(2)]
    client.force_login(city.admin)
    response = client.post(
        "/admin/core/apitoken/",
        {"action": "revoke_tokens", "_selected_action": [_row(t).pk for t in tokens]},
        follow=True,
    )
    assert response.status_code == 200
    assert not any(_works(client, t) for t in tokens)
    events = _revocations()
    assert len(events) == 2 and {e.actor for e in events} == {city.admin}


def test_the_admin_change_form_cannot_revoke_or_move_a_token_behind_the_audit(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    row = _row(token)
    client.force_login(city.admin)
    client.post(
        f"/admin/core/apitoken/{row.pk}/change/",
        {
            "user": city.owner_b_user.pk,
            "revoked_at_0": "2024-01-01",
            "revoked_at_1": "08:00:00",
            "expires_at_0": "2099-01-01",
            "expires_at_1": "08:00:00",
        },
    )
    row.refresh_from_db()
    assert row.revoked_at is None and row.user == city.owner_a_user
    assert row.expires_at.year != 2099


def test_the_admin_cannot_delete_a_token(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    client.force_login(city.admin)
    client.post(f"/admin/core/apitoken/{_row(token).pk}/delete/", {"post": "yes"})
    assert ApiToken.objects.filter(digest=digest(token)).exists()


def test_an_owner_cannot_open_the_admins_token_list(client, city):
    client.force_login(city.owner_a_user)
    response = client.get("/admin/core/apitoken/")
    assert response.status_code == 302 and "/admin/login/" in response.url
