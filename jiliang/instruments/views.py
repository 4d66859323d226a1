"""Pages of the instrument registry (placeholders; the pages work replaces them)."""

from django.http import HttpResponse


def home(request):
    return HttpResponse("jiliang")


def instrument_list(request):
    return HttpResponse("list")


def instrument_create(request):
    return HttpResponse("create")


def instrument_detail(request, pk):
    return HttpResponse("detail")


def instrument_edit(request, pk):
    return HttpResponse("edit")


def instrument_status(request, pk):
    return HttpResponse("status")
