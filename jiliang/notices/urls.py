"""The user's notifications under /notices/. Included once at the root by ``jiliang/urls.py``."""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from . import views

app_name = "notices"

patterns = [
    *object_paths(views, "notification", "list", "read"),
    path("read-all/", views.notification_read_all, name="read_all"),
]

urlpatterns = [path("notices/", include(patterns))]
