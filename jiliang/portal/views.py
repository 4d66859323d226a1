"""The public check pages (no login): /check/ (type a number), /check/c/<token>/ (a certificate's QR link) and
/check/i/<key>/ (an instrument's public page, its label's QR link: ``jiliang.portal.instruments``).

The pages are rendered without the request's context processors (no staff navigation, no session or user read)
and are never cached by the browser or a proxy (a certificate can be revoked at any moment), never indexed, and
send a Referer only to the platform itself (the QR token must not leak to another site).
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from jiliang.core import clock
from jiliang.verification.models import PublicCheck
from jiliang.verification.selectors.certificates import CertificateStatus

from . import instruments, pages, selectors, services
from .memo import Memo

# Rendered pages by (template, language, context). A page is a pure function of its template, the language and
# the answer, and the answer is worked out afresh for every request (a revocation shows at once: it changes the
# answer, hence the key), so a page rendered once can be served again for the same answer. Bounded, oldest out.
_PAGES: Memo[tuple, str] = Memo(2048)


def _key(template: str, context: dict) -> tuple:
    items = []
    for name, value in sorted(context.items()):
        items.append((name, tuple(value.items()) if isinstance(value, dict) else value))
    return (template, get_language(), tuple(items))


def _render(template: str, context: dict) -> str:
    key = _key(template, context)
    html = _PAGES.get(key)
    if html is None:
        html = render_to_string(template, context)
        _PAGES.put(key, html)
    return html


def forget_pages() -> None:
    """Empty the rendered pages (tests, benchmarks)."""
    _PAGES.clear()


@functools.lru_cache(maxsize=8)
def _index_url(prefix: str, urlconf: str | None) -> str:
    return reverse("portal:index", urlconf=urlconf)


def _page(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    # reverse() walks the URL patterns on every call (a tenth of this page's own time): once per prefix/URLconf.
    context["index_url"] = _index_url(get_script_prefix(), get_urlconf())
    context.update(pages.SLOTS)
    response = pages.respond(request, _render(template, context), status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Same origin only: the QR token never reaches another site, and the language switch's post carries the
    # platform's Origin (under "no-referrer" a browser sends "Origin: null", which Django's CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    return response


@login_not_required
@require_safe
def check_index(request: HttpRequest) -> HttpResponse:
    """The form; with ``?number=``, the answer for that number (rate-limited: ``services.number_lookup``)."""
    typed = request.GET.get("number", "")
    number = selectors.normalize_number(typed)
    if not number:
        return _page(request, "portal/check.html", {"number": "", "answer": None})
    client = services.client_hash(request)
    verdict = services.number_lookup(client=client, number=number)
    if not verdict.allowed:
        if verdict.first_refusal:
            services.check_log(
                via=PublicCheck.Via.NUMBER, certificate=None, result=services.RATE_LIMITED, client=client, query=number
            )
        context = {"refused_by": verdict.refused_by, "limit": verdict.limit}
        response = _page(request, "portal/too_many.html", context, status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return response
    certificate = selectors.certificate_by_number(number)
    answer = selectors.public_answer(certificate, clock.today())
    services.check_log(
        via=PublicCheck.Via.NUMBER, certificate=certificate, result=answer["status"], client=client, query=number
    )
    return _page(request, "portal/check.html", {"number": number, "answer": answer})


@login_not_required
@require_safe
def check_token(request: HttpRequest, token: str) -> HttpResponse:
    """The QR link: the answer for the certificate with this token; an unknown token answers not found (404)."""
    certificate = selectors.certificate_by_token(token)
    answer = selectors.public_answer(certificate, clock.today())
    services.check_log(
        via=PublicCheck.Via.TOKEN,
        certificate=certificate,
        result=answer["status"],
        client=services.client_hash(request),
    )
    status = 404 if answer["status"] == CertificateStatus.NOT_FOUND else 200
    return _page(request, "portal/token.html", {"answer": answer}, status=status)


@login_not_required
@require_safe
def check_instrument(request: HttpRequest, key: str) -> HttpResponse:
    """An instrument's public page (扫码查器具); an unknown key answers not found (404). Every look is logged."""
    instrument = instruments.instrument_by_key(key)
    answer = instruments.public_answer(instrument, clock.today())
    services.scan_log(instrument=instrument, result=answer["status"], client=services.client_hash(request))
    status = 404 if instrument is None else 200
    return _page(request, "portal/instrument.html", {"answer": answer}, status=status)
