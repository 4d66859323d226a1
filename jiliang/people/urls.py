from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/qualifications/new/", views.qualification_add, name="qualification_add"),
    path("qualifications/", views.qualification_list, name="qualifications"),
    path("qualifications/<int:pk>/renew/", views.qualification_renew, name="qualification_renew"),
    path("experts/", views.expert_list, name="experts"),
    path("experts/new/", views.expert_create, name="expert_create"),
]
