"""Placeholder; the standards pages replace it."""

from django.http import Http404


def standard_list(request):
    raise Http404
