from django.urls import path

from . import record_views

app_name = "records"

urlpatterns = [
    path("new/", record_views.record_new, name="new"),
    path("preview/", record_views.record_preview, name="preview"),
]
