from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase


class LoginRequiredByDefault(LoginRequiredMiddleware):
    """Every page needs a login unless its view is marked ``login_not_required`` (the public portal, login).

    The API under ``/api/`` is left to django-ninja, whose global bearer-token auth answers 401 instead of
    redirecting; every router there is authenticated unless an endpoint says ``auth=None``.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ChineseUnlessChosen:
    """The UI is Chinese unless the user picked another language (the language cookie set by ``set_language``).

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language, and an English browser in a
    Chinese bureau would get a half-English page. Placed just before LocaleMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
