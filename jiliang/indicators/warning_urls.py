"""The early-warning center: /warnings/ (the list) and /warnings/export.xlsx."""

from django.urls import path

from . import warning_views as views

app_name = "warnings"

urlpatterns = [
    path("", views.warning_list, name="list"),
    path("export.xlsx", views.warning_export, name="export"),
]
