"""Excel pages: template download, import with progress, export (placeholders; the Excel work replaces them)."""

from django.http import HttpResponse


def instrument_export(request):
    return HttpResponse("export")


def import_template(request):
    return HttpResponse("template")


def instrument_import(request):
    return HttpResponse("import")


def import_status(request, job_id):
    return HttpResponse("status")
