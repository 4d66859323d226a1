"""The project's URLs plus ``/bench/bare/``, a view that returns two bytes: the baseline of bench_serving.py.

It sits just before the portal's include (the public check), so that resolving either walks the same patterns
first, and it goes through every middleware, as the pages do. Mounted only by bench/serving_settings.py, never by
the project."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from jiliang.portal import urls as portal_urls
from jiliang.urls import urlpatterns as project_urlpatterns


@login_not_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


_at = next(n for n, p in enumerate(project_urlpatterns) if getattr(p, "urlconf_name", None) is portal_urls)
urlpatterns = [*project_urlpatterns[:_at], path("bench/bare/", bare), *project_urlpatterns[_at:]]
