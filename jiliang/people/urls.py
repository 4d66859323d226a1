"""The pages of staff, qualifications and experts under /people/. Included once at the root by ``jiliang/urls.py``."""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from . import views

app_name = "people"

patterns = [
    *object_paths(views, "person", "list", "create", "detail", "edit"),
    path("<int:pk>/qualifications/new/", views.qualification_add, name="qualification_add"),
    *object_paths(views, "qualification", "list", "renew", under="qualifications"),
    *object_paths(views, "expert", "list", "create", under="experts"),
]

urlpatterns = [path("people/", include(patterns))]
