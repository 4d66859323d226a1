"""The inbox pages: the list (unread first), mark one read (and open its link), mark all read.

Every read goes through ``selectors`` (the user's own organization); someone else's notification answers 404
exactly like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiliang.core.web.http import page_of

from . import selectors, services

PAGE_SIZE = 30


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.notifications_visible_to(request.user), PAGE_SIZE)
    context = {"page": page, "rows": list(page.object_list), "unread": selectors.unread_count(request.user)}
    return render(request, "notices/list.html", context)


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with ``open=1`` go on to its link (a path of this site only)."""
    notification = services.notification_mark_read(actor=request.user, notification_id=pk)
    link = notification.link
    if request.POST.get("open") and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notices:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("已将 %(n)s 条通知标为已读") % {"n": count})
    return redirect("notices:list")
