"""The public certificate check (no login)."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.check_index, name="index"),
    path("c/<str:token>/", views.check_token, name="token"),
]
