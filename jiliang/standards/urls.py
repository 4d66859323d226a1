from django.urls import path

from . import views

app_name = "standards"

urlpatterns = [
    path("", views.standard_list, name="list"),
    path("new/", views.standard_create, name="create"),
    path("<int:pk>/", views.standard_detail, name="detail"),
    path("<int:pk>/edit/", views.standard_edit, name="edit"),
    path("<int:pk>/status/", views.standard_status, name="status"),
    path("<int:pk>/equipment/new/", views.equipment_add, name="equipment_add"),
    path("equipment/<int:equipment_pk>/certificates/new/", views.certificate_add, name="certificate_add"),
    path("authorizations/", views.authorization_list, name="authorizations"),
    path("authorizations/new/", views.authorization_grant, name="authorization_grant"),
    path("authorizations/<int:pk>/revoke/", views.authorization_revoke, name="authorization_revoke"),
]
