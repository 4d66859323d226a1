"""Placeholder; the traceability pages replace it."""

from django.http import Http404


def chain(request, pk):
    raise Http404
