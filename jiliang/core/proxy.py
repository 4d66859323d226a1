"""The client's address when the platform runs behind a reverse proxy (nginx, docs/operations.md).

Behind nginx every request reaches the application from nginx's own address, so whatever counts per client
address (the public check's limit on typed numbers, the login throttle, the keyed client hash in the check log)
would see the whole city as one client. nginx passes the client's address in a header of its own
(``proxy_set_header X-Real-IP $remote_addr``, which replaces any value the client sent); with
``JILIANG_CLIENT_IP_HEADER`` naming that header, this middleware puts the address in ``REMOTE_ADDR`` before any
other middleware reads it.

Only set the header setting when the application cannot be reached except through the proxy (gunicorn bound to
127.0.0.1 or a unix socket): otherwise any client could choose its address by sending the header itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _client_address(value: str) -> str | None:
    # A list (X-Forwarded-For written by a chain of proxies): the last entry is the one our proxy added, the
    # earlier ones came from the client and prove nothing.
    candidate = value.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class ClientAddressFromProxy:
    """Sets ``REMOTE_ADDR`` from ``settings.JILIANG_CLIENT_IP_HEADER`` (a ``request.META`` key) when it holds an
    address; a missing or malformed value leaves the connection's own address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = settings.JILIANG_CLIENT_IP_HEADER
        if header:
            address = _client_address(request.META.get(header, ""))
            if address:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)
