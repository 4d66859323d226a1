"""The project's URLconf plus the plan pages, until the lead wires ``plans/`` into jiliang/urls.py."""

from django.urls import include, path

from jiliang.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns]
if not any(getattr(p, "app_name", None) == "plans" for p in project_urlpatterns):
    urlpatterns.append(path("plans/", include("jiliang.indicators.urls")))
