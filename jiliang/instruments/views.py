from django.http import HttpResponse


def home(request):
    return HttpResponse("jiliang")


def instrument_list(request):
    return HttpResponse("list")


def instrument_import(request):
    return HttpResponse("import")
