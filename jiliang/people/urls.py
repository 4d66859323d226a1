"""The pages of staff, qualifications and experts under /people/. Included once at the root by ``jiliang/urls.py``."""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from . import views

app_name = "people"

patterns = [
    *object_paths(views, "person", "list", "create", "detail", "edit"),
    path("<int:pk>/qualifications/new/", views.qualification_add, name="qualification_add"),
    path("qualifications/", views.qualification_list, name="qualifications"),
    path("qualifications/<int:pk>/renew/", views.qualification_renew, name="qualification_renew"),
    path("experts/", views.expert_list, name="experts"),
    path("experts/new/", views.expert_create, name="expert_create"),
]

urlpatterns = [path("people/", include(patterns))]
