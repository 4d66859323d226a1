"""The user's notifications under /notices/. Included once at the root by ``jiliang/urls.py``."""

from django.urls import include, path

from . import views

app_name = "notices"

patterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notification_read_all, name="read_all"),
]

urlpatterns = [path("notices/", include(patterns))]
