"""The HTTP API at /api/v1/: every router is authenticated by bearer token unless an endpoint says otherwise.

Every error answers in one shape (docs/architecture.md)::

    {"detail": "...", "errors": [{"field": "...", "message": "..."}]}

401 no or bad token; 404 missing *or* outside the caller's scope (the same body for both); 422 invalid input, with
every field's error (request validation, filters and the services' DomainError); 409 a clash with an existing record;
400 a body that cannot be parsed; 413 a body over the upload limit; 405 a method the address does not take (with the
Allow header). A bad input is never a 500.

The OpenAPI document is served at /api/v1/openapi.json without a token, and the interactive docs at /api/v1/docs
from django-ninja's own static files ("ninja" is in INSTALLED_APPS; never from a CDN, city intranets are offline).
An operation's id in that document does not depend on where its handler lives (``_API.get_openapi_operation_id``);
tests/api/test_openapi_stable.py compares the document with its snapshot.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import Operation

from jiliang.core.api_auth import BearerToken
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.instruments.api import router as instruments_router
from jiliang.notices.api import router as notices_router
from jiliang.people.api import router as people_router
from jiliang.portal.api import router as public_router
from jiliang.standards.api import router as standards_router
from jiliang.supervision.api import router as supervision_router
from jiliang.verification.api import router as verification_router

logger = logging.getLogger(__name__)

# The operationIds the API has published. ninja made them from the handler's module path; clients generated from the
# document call operations by them, so they stay, whichever module the handler moves to. Keyed by the handler's name
# (also its URL name, "api:<name>", kept by tests/core/test_url_names.py).
_PUBLISHED_IDS = {
    name: f"{prefix}_{name}"
    for prefix, names in {
        "jiliang_instruments_api": ("instrument_list", "instrument_create", "instrument_import", "instrument_detail"),
        "jiliang_people_api": ("person_list", "person_detail", "qualification_list"),
        "jiliang_standards_api": ("standard_list", "standard_detail", "authorization_list"),
        "jiliang_standards_api_coverage": ("coverage", "coverage_gaps"),
        "jiliang_standards_api_recall": ("recall_list",),
        "jiliang_verification_api_requests": ("request_list", "request_create", "request_detail", "request_action"),
        "jiliang_verification_api_certificates": (
            "certificate_list",
            "certificate_detail",
            "certificate_signed",
            "certificate_correct",
            "certificate_revoke",
        ),
        "jiliang_notices_api": ("notification_list", "notification_read"),
        "jiliang_portal_api": ("public_certificate",),
    }.items()
    for name in names
}


class _API(NinjaAPI):
    """django-ninja answers a method an address does not take with a plain-text 405 from inside its view, past
    every exception handler; each URL's view is wrapped so that this answer, too, is in the error shape."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # ninja's default is the module path, which moving a handler would change: a published id stays as it was,
        # a new operation is named after its handler alone.
        name = operation.view_func.__name__
        return _PUBLISHED_IDS.get(name, name)

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _method_not_allowed_in_shape(pattern.callback)
        return patterns, app_name, namespace


def _method_not_allowed_in_shape(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    if asyncio.iscoroutinefunction(view):  # no endpoint is async; one that becomes so keeps ninja's own 405
        return view

    @functools.wraps(view)  # keeps csrf_exempt: the API is authenticated by token, not by cookie
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        methods = ", ".join(sorted(m.strip() for m in response["Allow"].split(",") if m.strip()))
        shaped = error_response(
            request, 405, _("不支持此请求方法"), [("", _("可用的方法：%(methods)s") % {"methods": methods})]
        )
        shaped["Allow"] = methods
        return shaped

    return wrapper


api = _API(
    title="jiliang API",
    version="1.0.0",
    description="计量监管平台接口 / jiliang metrology platform API",
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
)

# Where ninja says a value came from; the client only needs the field's name.
_SOURCES = {"query", "path", "body", "form", "file", "header", "cookie"}


def error_response(
    request: HttpRequest, status: int, detail: str, errors: list[tuple[str, str]] | None = None
) -> HttpResponse:
    body = {"detail": detail, "errors": [{"field": f, "message": m} for f, m in errors or []]}
    return api.create_response(request, body, status=status)


def _field(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        # A JSON body arrives as one named parameter (``payload``); its name means nothing to the client.
        if source == "body" and parts:
            parts.pop(0)
    return ".".join(str(p) for p in parts)


def _message(error: dict[str, Any]) -> str:
    """Pydantic's error as a sentence for our users; its English text when we have no better one."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("此项为必填项")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("请输入整数")
    if kind == "greater_than_equal":
        return _("不能小于 %(limit)s") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("不能大于 %(limit)s") % {"limit": ctx.get("le")}
    if kind == "string_too_short":
        return _("不能为空")
    if kind == "string_too_long":
        return _("最多 %(limit)s 个字符") % {"limit": ctx.get("max_length")}
    if kind in {"literal_error", "enum"}:
        return _("无效的选项，可选值：%(expected)s") % {"expected": ctx.get("expected", "")}
    if kind.startswith("date_"):
        return _("请输入日期（YYYY-MM-DD）")
    if kind.startswith("bool_"):
        return _("请输入 true 或 false")
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(error.get("msg", ""))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [(_field(e.get("loc", ())), _message(e)) for e in exc.errors]
    return error_response(request, 422, _("输入无效"), errors)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(request, 401, _("未提供令牌或令牌无效"))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Raised by ninja itself, e.g. 400 for a body that is not JSON; keep its own reason as the detail's detail.
    details = {400: _("请求无法解析"), 403: _("无权进行此操作"), 429: _("请求过于频繁，请稍后再试")}
    detail = details.get(exc.status_code, str(exc))
    return error_response(request, exc.status_code, detail, [("", str(exc))] if detail != str(exc) else [])


@api.exception_handler(NotFoundOrForbidden)
def on_not_found_or_forbidden(request: HttpRequest, exc: NotFoundOrForbidden) -> HttpResponse:
    return error_response(request, 404, exc.message, exc.errors)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    # A clash with an existing record (e.g. the same serial twice) is a 409; any other refusal a 422.
    return error_response(request, 409 if exc.code == "conflict" else 422, exc.message, exc.errors)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, _("未找到"))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, _("请求过大"))


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return error_response(request, 400, _("请求无法解析"))


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error_response(request, 400, _("请求无法解析"), [("", str(exc))])


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug, not a bad input: log it with its traceback and answer in the same shape without internals.
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return error_response(request, 500, _("服务器内部错误"))


api.add_router("/", instruments_router)
api.add_router("/", people_router)
api.add_router("/", standards_router)
api.add_router("/", verification_router)
api.add_router("/", supervision_router)
api.add_router("/", notices_router)
# The public check: no token (its endpoints say auth=None).
api.add_router("/", public_router)

# Mounted last, after every real route: an unknown address under /api/v1/ answers 404 in the error shape too
# (Django's own 404 page is HTML). Needs no token, since it reveals nothing.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    raise Http404


api.add_router("/", fallback)
