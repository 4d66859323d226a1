from django.urls import path

from . import views

app_name = "instruments"

urlpatterns = [
    path("", views.instrument_list, name="list"),
    path("import/", views.instrument_import, name="import"),
]
