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
