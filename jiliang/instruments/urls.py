"""The instrument registry's pages under /instruments/: the list, one instrument, its forms, and the Excel export,
template and import. Included once at the root by ``jiliang/urls.py``."""

from django.urls import include, path

from . import views, views_excel

app_name = "instruments"

patterns = [
    path("", views.instrument_list, name="list"),
    path("new/", views.instrument_create, name="create"),
    path("<int:pk>/", views.instrument_detail, name="detail"),
    path("<int:pk>/edit/", views.instrument_edit, name="edit"),
    path("<int:pk>/status/", views.instrument_status, name="status"),
    path("export.xlsx", views_excel.instrument_export, name="export"),
    path("template.xlsx", views_excel.import_template, name="template"),
    path("import/", views_excel.instrument_import, name="import"),
    path("import/<uuid:job_id>/", views_excel.import_status, name="import_status"),
]

urlpatterns = [path("instruments/", include(patterns))]
