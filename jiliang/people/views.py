"""Placeholder; the people pages replace it."""

from django.http import Http404


def person_list(request):
    raise Http404
