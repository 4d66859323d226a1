"""The instrument registry's pages under /instruments/: the list, one instrument, its forms, and the Excel export,
template and import. Included once at the root by ``jiliang/urls.py``."""

from django.urls import include, path

from jiliang.core.web.routes import object_paths

from . import labels, views, views_excel

app_name = "instruments"

patterns = [
    *object_paths(views, "instrument", "list", "create", "detail", "edit", "status"),
    path("export.xlsx", views_excel.instrument_export, name="export"),
    path("template.xlsx", views_excel.import_template, name="template"),
    path("import/", views_excel.instrument_import, name="import"),
    path("import/<uuid:job_id>/", views_excel.import_status, name="import_status"),
    path("labels/", labels.instrument_labels, name="labels"),
]

urlpatterns = [path("instruments/", include(patterns))]
