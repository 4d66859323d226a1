"""Pages of the rosters: the item list, the inspector pool and its conflicts. Regulators only."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiliang.core.models import Organization
from jiliang.core.selectors import scope_of
from jiliang.core.web.forms import form_save
from jiliang.core.web.http import page_of

from ..forms.rosters import ConflictForm, InspectorForm
from ..selectors import rosters as selectors
from ..services import rosters as services


def _reader(request: HttpRequest) -> None:
    if not selectors.is_supervisor(request.user):
        raise Http404


@require_GET
def items(request: HttpRequest) -> HttpResponse:
    _reader(request)
    versions = list(selectors.item_lists_visible_to(request.user).select_related("region", "created_by"))
    chosen = versions[0] if versions else None
    if request.GET.get("version"):
        chosen = next((v for v in versions if str(v.version) == request.GET["version"]), None)
        if chosen is None:
            raise Http404
    context = {
        "versions": versions,
        "chosen": chosen,
        "rows": chosen.items.order_by("code") if chosen else [],
        "categories": dict(Organization.Category.choices),
        "may_revise": selectors.may_revise_items(request.user),
    }
    return render(request, "supervision/rosters/items.html", context)


@require_GET
def inspector_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    rows = (
        selectors.inspectors_visible_to(request.user)
        .select_related("organization")
        .order_by("organization__name", "name")
    )
    page = page_of(request, rows)
    context = {
        "rows": page.object_list,
        "page": page,
        "query": "",
        "may_create": selectors.may_manage_inspector(request.user) and not scope_of(request.user).is_admin,
    }
    return render(request, "supervision/rosters/inspectors.html", context)


@require_http_methods(["GET", "POST"])
def inspector_create(request: HttpRequest) -> HttpResponse:
    _reader(request)
    scope = scope_of(request.user)
    if not scope.is_regulator:
        raise Http404
    organization = Organization.objects.get(pk=scope.organization_id)
    form = InspectorForm(request.POST or None)
    saved = form_save(
        request, form, lambda data: services.inspector_create(actor=request.user, organization=organization, **data)
    )
    if saved:
        messages.success(request, _("已加入执法检查人员名录库"))
        return redirect("supervision:inspector_detail", saved.value.pk)
    return render(request, "supervision/rosters/inspector_form.html", {"form": form})


@require_GET
def inspector_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    inspector = selectors.inspector_get(request.user, pk)
    may_manage = selectors.may_manage_inspector(request.user, inspector)
    context = {
        "inspector": inspector,
        "conflicts": inspector.conflicts.select_related("organization").order_by("organization__name"),
        "may_manage": may_manage,
        "conflict_form": ConflictForm() if may_manage else None,
    }
    return render(request, "supervision/rosters/inspector_detail.html", context)


@require_POST
def inspector_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    inspector = selectors.inspector_get(request.user, pk)
    if not selectors.may_manage_inspector(request.user, inspector):
        raise Http404
    form = ConflictForm(request.POST)
    saved = form_save(
        request, form, lambda data: services.conflict_declare(actor=request.user, inspector=inspector, **data)
    )
    if saved:
        messages.success(request, _("已登记回避关系"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("supervision:inspector_detail", pk)


@require_POST
def inspector_active(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    active = request.POST.get("active") == "1"
    services.inspector_set_active(actor=request.user, inspector_id=pk, active=active)
    messages.success(request, _("已恢复入库") if active else _("已移出名录库"))
    return redirect("supervision:inspector_detail", pk)
