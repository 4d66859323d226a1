"""Placeholder; the coverage pages replace it."""

from django.http import Http404


def coverage(request):
    raise Http404
