"""The error pages a production server answers (DEBUG off, as pytest-django runs): 400, 403, 404, 500 and the CSRF
failure, in Chinese, in the site's layout, without internals (Django's debug 404 listed every URL pattern)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client
from django.urls import include, path

from tests.conftest import PASSWORD


@login_not_required
def _boom(request):
    raise RuntimeError("secret internals: /srv/jiliang/db.sqlite3")


@login_not_required
def _denied(request):
    raise PermissionDenied("internal reason")


@login_not_required
def _suspicious(request):
    raise SuspiciousOperation("internal reason")


# The project's URLs plus three views that fail on purpose (this module is the URLconf of the tests marked below).
urlpatterns = [
    path("boom/", _boom),
    path("denied/", _denied),
    path("suspicious/", _suspicious),
    path("", include("jiliang.urls")),
]


def _html(response) -> str:
    return response.content.decode()


def _assert_site_page(body: str) -> None:
    assert 'class="topbar"' in body and 'class="footer"' in body
    assert '<html lang="zh-hans">' in body


@pytest.mark.django_db
def test_an_unknown_page_answers_404_in_chinese_in_the_site_layout_without_the_url_list(client):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = _html(response)
    _assert_site_page(body)
    assert "页面不存在" in body
    assert "URLconf" not in body and "admin/" not in body and "api/v1/" not in body


@pytest.mark.django_db
def test_a_logged_in_user_keeps_the_navigation_on_a_404(client, city):
    client.force_login(city.owner_a_user)
    body = _html(client.get("/no-such-page/"))
    assert 'class="mainnav"' in body and "页面不存在" in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_server_error_answers_500_in_chinese_without_internals():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = _html(response)
    _assert_site_page(body)
    assert "服务器内部错误" in body
    assert "secret internals" not in body and "Traceback" not in body and "RuntimeError" not in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_refusal_answers_403_in_chinese_without_the_reason_given_in_code(client):
    response = client.get("/denied/")
    assert response.status_code == 403
    body = _html(response)
    _assert_site_page(body)
    assert "没有权限" in body and "internal reason" not in body


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_bad_request_answers_400_in_chinese(client):
    response = client.get("/suspicious/")
    assert response.status_code == 400
    body = _html(response)
    _assert_site_page(body)
    assert "请求无效" in body and "internal reason" not in body


@pytest.mark.django_db
def test_an_unknown_host_answers_400_in_chinese(client):
    response = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "请求无效" in _html(response)


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_answers_403_in_chinese(city):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "owner_a", "password": PASSWORD})
    assert response.status_code == 403
    body = _html(response)
    _assert_site_page(body)
    assert "页面已过期" in body
    assert "CSRF verification failed" not in body
