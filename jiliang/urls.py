"""The project's URLs: one module per app, each carrying its own prefixes and namespaces; the admin and the API."""

from django.contrib import admin
from django.urls import include, path

from jiliang.api import api

urlpatterns = [
    path("", include("jiliang.indicators.urls")),
    path("", include("jiliang.core.urls")),
    path("", include("jiliang.instruments.urls")),
    path("", include("jiliang.people.urls")),
    path("", include("jiliang.standards.urls")),
    path("", include("jiliang.verification.urls")),
    path("", include("jiliang.supervision.urls")),
    path("", include("jiliang.notices.urls")),
    # The public portal: no login (its views are marked login_not_required).
    path("", include("jiliang.portal.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
