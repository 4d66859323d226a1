"""The client's address behind the reverse proxy (jiliang.core.proxy): from nginx's header when configured, never
from a header the client chose."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory

from jiliang.core.proxy import ClientAddressFromProxy


def _address_seen(**meta: str) -> str:
    """REMOTE_ADDR as the views see it, for a request that reached the server with ``meta``."""
    seen = {}
    ClientAddressFromProxy(lambda request: seen.setdefault("addr", request.META["REMOTE_ADDR"]))(
        RequestFactory().get("/", **meta)
    )
    return seen["addr"]


def test_the_client_address_comes_from_the_proxy_header_when_one_is_configured(settings):
    settings.JILIANG_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert _address_seen(**proxy, HTTP_X_REAL_IP="203.0.113.7") == "203.0.113.7"
    assert _address_seen(**proxy, HTTP_X_REAL_IP="2001:db8::1") == "2001:db8::1"
    # A list (X-Forwarded-For style): the last entry is the one our proxy added; earlier ones the client wrote.
    assert _address_seen(**proxy, HTTP_X_REAL_IP="10.9.9.9, 203.0.113.8") == "203.0.113.8"
    # Missing or not an address: the connection's own address stays.
    assert _address_seen(**proxy) == "127.0.0.1"
    assert _address_seen(**proxy, HTTP_X_REAL_IP="evil") == "127.0.0.1"


def test_without_a_configured_header_a_client_cannot_choose_its_address(settings):
    settings.JILIANG_CLIENT_IP_HEADER = ""
    assert _address_seen(REMOTE_ADDR="198.51.100.1", HTTP_X_REAL_IP="203.0.113.7") == "198.51.100.1"


def test_the_client_address_is_set_before_any_other_middleware():
    assert settings.MIDDLEWARE[0] == "jiliang.core.proxy.ClientAddressFromProxy"


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_public_check_limit(client, settings):
    """Behind nginx every request arrives from 127.0.0.1: one client's typed look-ups must not use up another's."""
    settings.JILIANG_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    limit = settings.JILIANG_PUBLIC_CHECK_PER_MINUTE
    for n in range(limit + 1):
        client.get("/check/", {"number": f"XX-2026-JD-{n:06d}"}, HTTP_X_REAL_IP="203.0.113.1")
    assert client.get("/check/", {"number": "XX-2026-JD-999999"}, HTTP_X_REAL_IP="203.0.113.1").status_code == 429
    assert client.get("/check/", {"number": "XX-2026-JD-999999"}, HTTP_X_REAL_IP="203.0.113.2").status_code == 200
