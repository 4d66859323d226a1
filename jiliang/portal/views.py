"""The public check pages (being written)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404


@login_not_required
def check_index(request):
    raise Http404


@login_not_required
def check_token(request, token: str):
    raise Http404
