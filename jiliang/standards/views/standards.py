"""Pages of measurement standards and authorizations: the list, one standard, its forms, authorizations.

Views stay thin: they parse the request, call one selector or service, and render. Owners and anonymous visitors
have no standards pages (404 / login); out-of-scope ids answer 404 exactly like missing ones. Whether a standard
is valid is decided by ``jiliang.standards.selectors.standards`` and explained with its ``explain``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.core.models import Organization
from jiliang.core.selectors import organizations_visible_to, scope_of
from jiliang.core.web.forms import add_domain_errors, form_save
from jiliang.core.web.http import int_param, not_found_as_404, page_of

from ..forms.standards import (
    AuthorizationForm,
    CertificateForm,
    EquipmentForm,
    StandardForm,
    StatusForm,
)
from ..forms.standards import initial_from as standard_initial
from ..models import Standard
from ..selectors import standards as selectors
from ..selectors.standards import explain, standard_validity, with_validity_data
from ..services import standards as services


def _require_reader(request: HttpRequest) -> None:
    """Standards pages are for institutes, regulators and the admin; anyone else sees no such page."""
    scope = scope_of(request.user)
    if not (scope.is_institute or scope.is_regulator or scope.is_admin):
        raise Http404


def _may_manage(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.is_institute or scope.is_admin


def _may_grant(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.is_regulator or scope.is_admin


def _require(may: Callable[[HttpRequest], bool], request: HttpRequest) -> None:
    """Pages that change something answer 404 to anyone who may not make the change (``_may_manage`` or
    ``_may_grant``; both imply ``_require_reader``)."""
    if not may(request):
        raise Http404


def _get(request: HttpRequest, pk: int) -> Standard:
    _require_reader(request)
    return selectors.standard_get(request.user, pk)


# ---- list ------------------------------------------------------------------------------------------------------


def _flag(value: str | None) -> bool | None:
    return {"1": True, "true": True, "0": False, "false": False}.get((value or "").strip().lower())


def parse_filters(params: Any) -> selectors.StandardFilters:
    filters = selectors.StandardFilters(
        holder=int_param(params.get("holder"), low=1),
        level=params.get("level", "") if params.get("level", "") in Standard.Level.values else "",
        is_public=_flag(params.get("public")),
        is_highest=_flag(params.get("highest")),
        status=params.get("status", "") if params.get("status", "") in Standard.Status.values else "",
        valid=_flag(params.get("valid")),
        reassessment_due=_flag(params.get("reassessment")) is True,
        q=(params.get("q") or "").strip()[:100],
    )
    raw_day = (params.get("valid_on") or "").strip()
    if raw_day:
        try:
            filters.valid_on = date.fromisoformat(raw_day)
        except ValueError:
            filters.errors.append(_("日期“%(value)s”无效，已按今天判断") % {"value": raw_day})
    return filters


@require_GET
def standard_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    filters = parse_filters(request.GET)
    day = filters.valid_on or clock.today()
    qs = selectors.standard_list(request.user, filters).select_related("holder", "holder__region")
    page = page_of(request, qs)
    standards = list(with_validity_data(Standard.objects.filter(pk__in=[s.pk for s in page.object_list])))
    by_id = {s.pk: s for s in standards}
    rows = []
    for standard in page.object_list:
        verdict = standard_validity(by_id[standard.pk], day)
        rows.append({"standard": standard, "valid": verdict.valid, "reasons": explain(verdict)})
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "rows": rows,
        "page": page,
        "filters": filters,
        "day": day,
        "page_query": urlencode(query),
        "holders": organizations_visible_to(request.user, kind=Organization.Kind.INSTITUTE).order_by("name"),
        "levels": Standard.Level.choices,
        "statuses": Standard.Status.choices,
        "may_manage": _may_manage(request),
        "reassessment_days": selectors.REASSESSMENT_DAYS,
        # 复查 reminder: how many of the actor's standards need re-assessment within six months.
        "reassessment_count": selectors.reassessment_due(request.user).count(),
        "reassessment_query": urlencode({"reassessment": "1"}),
    }
    return render(request, "standards/list.html", context)


# ---- one standard ----------------------------------------------------------------------------------------------


@require_GET
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _get(request, pk)
    today = clock.today()
    verdict = standard_validity(standard, today)
    equipment = []
    for item in selectors.equipment_of(standard):
        certificates = [
            {"certificate": c, "in_force": c.issued_on <= today <= c.valid_until, "expired": c.valid_until < today}
            for c in item.certificates.all()
        ]
        equipment.append(
            {
                "equipment": item,
                "certificates": certificates,
                "covered": any(c["in_force"] for c in certificates),
            }
        )
    reassessment_from = standard.certificate_valid_until - timedelta(days=selectors.REASSESSMENT_DAYS)
    context = {
        "standard": standard,
        "today": today,
        "valid": verdict.valid,
        "reasons": explain(verdict),
        "equipment": equipment,
        "reassessment_due": standard.status != Standard.Status.RETIRED
        and reassessment_from <= today <= standard.certificate_valid_until,
        "may_manage": _may_manage(request),
        "status_form": StatusForm(initial={"status": standard.status}),
        # In the order of the model's choices (a set has none), so "retire" never comes first by chance.
        "status_choices": [
            (value, label)
            for value, label in Standard.Status.choices
            if value in services.STATUS_TRANSITIONS[Standard.Status(standard.status)]
        ],
    }
    return render(request, "standards/detail.html", context)


@require_http_methods(["GET", "POST"])
def standard_create(request: HttpRequest) -> HttpResponse:
    _require(_may_manage, request)
    form = StandardForm(request.POST or None, actor=request.user, creating=True)
    saved = form_save(request, form, lambda data: services.standard_create(actor=request.user, **form.service_kwargs()))
    if saved is not None:
        standard = saved.value
        messages.success(request, _("已登记计量标准 %(name)s") % {"name": standard.name})
        return redirect("standards:detail", standard.pk)
    return render(request, "standards/form.html", {"form": form, "standard": None})


@require_http_methods(["GET", "POST"])
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _get(request, pk)
    _require(_may_manage, request)
    if request.method == "POST":
        form = StandardForm(request.POST, actor=request.user, creating=False)
        if form.is_valid():
            try:
                services.standard_update(actor=request.user, standard_id=standard.pk, **form.service_kwargs())
            except DomainError as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("standards:detail", standard.pk)
    else:
        form = StandardForm(initial=standard_initial(standard), actor=request.user, creating=False)
    return render(request, "standards/form.html", {"form": form, "standard": standard})


@require_POST
def standard_status(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _get(request, pk)
    _require(_may_manage, request)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("状态无效"))
        return redirect("standards:detail", standard.pk)
    try:
        services.standard_set_status(
            actor=request.user,
            standard_id=standard.pk,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("状态已更新"))
    return redirect("standards:detail", standard.pk)


@require_http_methods(["GET", "POST"])
def equipment_add(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _get(request, pk)
    _require(_may_manage, request)
    form = EquipmentForm(request.POST or None)
    saved = form_save(
        request,
        form,
        lambda data: services.equipment_add(actor=request.user, standard_id=standard.pk, **data),
    )
    if saved is not None:
        messages.success(request, _("已添加标准设备"))
        return redirect("standards:detail", standard.pk)
    return render(request, "standards/equipment_form.html", {"form": form, "standard": standard})


@require_http_methods(["GET", "POST"])
def certificate_add(request: HttpRequest, equipment_pk: int) -> HttpResponse:
    _require(_may_manage, request)
    equipment = selectors.equipment_get(request.user, equipment_pk)
    form = CertificateForm(request.POST or None, equipment=equipment)
    saved = form_save(
        request,
        form,
        lambda data: services.equipment_certificate_add(actor=request.user, equipment_id=equipment.pk, **data),
    )
    if saved is not None:
        messages.success(request, _("已登记溯源证书"))
        return redirect("standards:detail", equipment.standard_id)
    context = {"form": form, "equipment": equipment, "standard": equipment.standard}
    return render(request, "standards/certificate_form.html", context)


# ---- authorizations --------------------------------------------------------------------------------------------


@require_GET
def authorization_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    today = clock.today()
    qs = (
        selectors.authorizations_visible_to(request.user)
        .select_related("institute", "institute__region", "issued_by")
        .prefetch_related("catalog_items")
        .order_by("institute__name", "-valid_until", "id")
    )
    page = page_of(request, qs)
    rows = [{"authorization": a, "in_force": selectors.authorization_in_force(a, today)} for a in page.object_list]
    context = {"rows": rows, "page": page, "today": today, "may_grant": _may_grant(request)}
    return render(request, "standards/authorizations.html", context)


@require_http_methods(["GET", "POST"])
def authorization_grant(request: HttpRequest) -> HttpResponse:
    _require(_may_grant, request)
    form = AuthorizationForm(request.POST or None, actor=request.user)
    saved = form_save(
        request,
        form,
        lambda data: services.authorization_grant(
            actor=request.user, **{**data, "catalog_items": list(data["catalog_items"])}
        ),
    )
    if saved is not None:
        messages.success(request, _("已授权：%(number)s") % {"number": saved.value.number})
        return redirect("standards:authorizations")
    return render(request, "standards/authorization_form.html", {"form": form})


@require_POST
def authorization_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require(_may_grant, request)
    try:
        with not_found_as_404():
            services.authorization_revoke(actor=request.user, authorization_id=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销授权"))
    return redirect("standards:authorizations")
