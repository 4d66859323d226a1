"""Accounts in a real browser: a locked login names its end, and a user issues, sees and revokes an API token."""

from __future__ import annotations

import pytest
from django.conf import settings

from jiliang.core.api_auth import digest
from jiliang.core.models import ApiToken
from tests.conftest import PASSWORD

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _submit_login(page, username: str, password: str) -> None:
    page.fill("#login-form input[name=username]", username)
    page.fill("#login-form input[name=password]", password)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")


def test_a_locked_account_sees_when_and_what_to_do_on_the_login_page(page, city):
    page.goto("/accounts/login/")
    for _ in range(settings.JILIANG_LOGIN_FAILURES_PER_USERNAME):
        _submit_login(page, "owner_a", "wrong-password")
    _submit_login(page, "owner_a", PASSWORD)
    assert "/accounts/login/" in page.url
    message = page.locator(".form-errors").inner_text()
    assert "已暂时锁定" in message and "分钟后" in message and "联系平台管理员解锁" in message
    screenshot(page, "login-locked")
    assert page.js_errors == []


def test_a_user_issues_a_token_sees_it_once_and_revokes_it_after_confirming(page, city):
    log_in(page, "owner_a", PASSWORD)
    page.goto("/accounts/tokens/")
    assert "您还没有 API 令牌" in page.inner_text("#results")
    page.fill("#id_days", "30")
    with page.expect_navigation():
        page.click("#token-form button[type=submit]")
    token = page.locator("[data-testid=new-token]").inner_text().strip()
    row = ApiToken.objects.get(user=city.owner_a_user)
    assert digest(token) == row.digest
    assert page.locator("#token-table tbody tr").count() == 1
    screenshot(page, "tokens-issued")

    page.goto("/accounts/tokens/")
    assert page.locator("[data-testid=new-token]").count() == 0
    with page.expect_navigation():
        page.click("#token-table >> text=吊销")
    assert "不可撤销" in page.inner_text("main")
    screenshot(page, "token-revoke-confirm")
    with page.expect_navigation():
        page.click('button:has-text("确认吊销")')
    assert page.url.endswith("/accounts/tokens/")
    assert "已吊销" in page.inner_text("#token-table")
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert page.js_errors == []
