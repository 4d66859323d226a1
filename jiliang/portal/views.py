"""The public check pages (no login): /check/ (type a number) and /check/c/<token>/ (the QR link).

The pages are rendered without the request's context processors (no staff navigation, no session or user read)
and are never cached by the browser or a proxy (a certificate can be revoked at any moment), never indexed, and
send no Referer (the QR token must not leak to another site).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from jiliang.verification.models import PublicCheck
from jiliang.verification.selectors import CertificateStatus

from . import selectors, services


def _page(template: str, context: dict, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(render_to_string(template, context), status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@require_safe
def check_index(request: HttpRequest) -> HttpResponse:
    """The form; with ``?number=``, the answer for that number (limited per client address and minute)."""
    typed = request.GET.get("number", "")
    number = selectors.normalize_number(typed)
    if not number:
        return _page("portal/check.html", {"number": "", "answer": None})
    client = services.client_hash(request)
    allowed, count = services.number_lookup_allowed(client)
    limit = settings.JILIANG_PUBLIC_CHECK_PER_MINUTE
    if not allowed:
        if count == limit + 1:
            services.check_log(
                via=PublicCheck.Via.NUMBER, certificate=None, result=services.RATE_LIMITED, client=client, query=number
            )
        response = _page("portal/too_many.html", {"limit": limit}, status=429)
        response["Retry-After"] = "60"
        return response
    certificate = selectors.certificate_by_number(number)
    answer = selectors.public_answer(certificate, timezone.localdate())
    services.check_log(
        via=PublicCheck.Via.NUMBER, certificate=certificate, result=answer["status"], client=client, query=number
    )
    return _page("portal/check.html", {"number": number, "answer": answer})


@login_not_required
@require_safe
def check_token(request: HttpRequest, token: str) -> HttpResponse:
    """The QR link: the answer for the certificate with this token; an unknown token answers not found (404)."""
    certificate = selectors.certificate_by_token(token)
    answer = selectors.public_answer(certificate, timezone.localdate())
    services.check_log(
        via=PublicCheck.Via.TOKEN,
        certificate=certificate,
        result=answer["status"],
        client=services.client_hash(request),
    )
    status = 404 if answer["status"] == CertificateStatus.NOT_FOUND else 200
    return _page("portal/token.html", {"answer": answer}, status=status)
