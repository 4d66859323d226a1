from django.urls import path

from . import views_coverage

app_name = "coverage"

urlpatterns = [
    path("", views_coverage.coverage, name="index"),
]
