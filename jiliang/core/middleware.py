from django.contrib.auth.middleware import LoginRequiredMiddleware


class LoginRequiredByDefault(LoginRequiredMiddleware):
    """Every page needs a login unless its view is marked ``login_not_required`` (the public portal, login).

    The API under ``/api/`` is left to django-ninja, whose global bearer-token auth answers 401 instead of
    redirecting; every router there is authenticated unless an endpoint says ``auth=None``.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ChineseUnlessChosen:
    """The UI is Chinese unless the user picked another language (the language cookie set by ``set_language``).

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language, and an English browser in a
    Chinese bureau would get a half-English page. Placed just before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
