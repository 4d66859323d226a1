"""Pages of staff, qualifications and the expert pool.

Thin: parse, call one selector or service, render. Owners (and anyone who is not admin, a regulator or an
institute) get 404 on every page here: staff are not their business, and a 404 says nothing about who exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jiliang.core import clock
from jiliang.core.models import Organization
from jiliang.core.selectors import organizations_visible_to, scope_of
from jiliang.core.web.forms import form_save
from jiliang.core.web.http import int_param, page_of

from . import selectors, services
from .forms import ExpertForm, PersonForm, QualificationForm, RenewForm
from .models import Person, Qualification

EXPIRING_CHOICES = (30, 60, 90, 180)
MAX_DAYS = 3650


def _reader(request: HttpRequest) -> None:
    scope = scope_of(request.user)
    if not (scope.is_admin or scope.is_regulator or scope.is_institute):
        raise Http404


def _person(request: HttpRequest, pk: int) -> Person:
    _reader(request)
    return selectors.person_get(request.user, pk)


def _managed_person(request: HttpRequest, pk: int) -> Person:
    person = _person(request, pk)
    if not selectors.may_manage_staff(request.user, person.organization):
        raise Http404
    return person


@dataclass(frozen=True)
class QualificationBadge:
    qualification: Qualification
    label: str
    state: str  # valid | expiring | expired | pending

    @property
    def css(self) -> str:
        # The due-state colours of app.css: green valid, amber expiring, red expired, grey not yet valid.
        return {"valid": "due-valid", "expiring": "due-due_soon", "expired": "due-overdue"}.get(self.state, "due-na")

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


STATE_LABELS = {
    "valid": gettext_lazy("有效"),
    "expiring": gettext_lazy("即将到期"),
    "expired": gettext_lazy("已过期"),
    "pending": gettext_lazy("未生效"),
}


def qualification_state(qualification: Qualification, today: date, within_days: int) -> str:
    if qualification.valid_until < today:
        return "expired"
    if qualification.issued_on > today:
        return "pending"
    if (qualification.valid_until - today).days <= within_days:
        return "expiring"
    return "valid"


def _badges(qualifications: list[Qualification], today: date) -> list[QualificationBadge]:
    labels = dict(Qualification.Kind.choices)
    badges = []
    for q in qualifications:
        label = str(labels.get(q.kind, q.kind))
        if q.grade:
            label = _("%(kind)s（%(grade)s）") % {"kind": label, "grade": q.get_grade_display()}
        badges.append(QualificationBadge(q, label, qualification_state(q, today, selectors.EXPIRING_WITHIN_DAYS)))
    return badges


def parse_person_filters(params: dict[str, str]) -> selectors.PersonFilters:
    filters = selectors.PersonFilters()
    if params.get("organization"):
        filters.organization = int_param(params["organization"], low=1, high=2**63 - 1)
        if filters.organization is None:
            filters.errors.append(_("单位无效"))
    if params.get("title"):
        if params["title"] in Person.Title.values:
            filters.title = params["title"]
        else:
            filters.errors.append(_("职称无效"))
    if params.get("kind"):
        if params["kind"] in Qualification.Kind.values:
            filters.kind = params["kind"]
        else:
            filters.errors.append(_("资质类别无效"))
    if params.get("expiring_within"):
        filters.expiring_within = int_param(params["expiring_within"], low=0, high=MAX_DAYS)
        if filters.expiring_within is None:
            filters.errors.append(_("到期天数应为 0 到 %(max)s 的整数") % {"max": MAX_DAYS})
    filters.q = params.get("q", "").strip()[:50]
    return filters


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    params = {k: request.GET.get(k, "") for k in ("organization", "title", "kind", "expiring_within", "q")}
    filters = parse_person_filters(params)
    qs = selectors.person_list(request.user, filters).select_related("organization")
    page = page_of(request, qs.prefetch_related("qualifications"))
    today = clock.today()
    rows = [(person, _badges(list(person.qualifications.all()), today)) for person in page.object_list]
    keep = {k: v for k, v in params.items() if v}
    organizations = Organization.objects.filter(
        id__in=selectors.persons_visible_to(request.user).values("organization_id")
    ).order_by("name")
    context = {
        "rows": rows,
        "page": page,
        "filters": filters,
        "params": params,
        "query": urlencode(keep),
        "organizations": organizations,
        "titles": Person.Title.choices,
        "kinds": Qualification.Kind.choices,
        "expiring_choices": EXPIRING_CHOICES,
        "may_create": scope_of(request.user).is_institute,
        "show_organization": not scope_of(request.user).is_institute,
    }
    return render(request, "people/list.html", context)


@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    today = clock.today()
    qualifications = list(person.qualifications.prefetch_related("catalog_items", "procedures"))
    context = {
        "person": person,
        "badges": _badges(qualifications, today),
        "show_personal": selectors.may_see_personal(request.user, person),
        "may_manage": selectors.may_manage_staff(request.user, person.organization),
        "experts": list(person.expert_set.all()),
    }
    return render(request, "people/detail.html", context)


@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    _reader(request)
    scope = scope_of(request.user)
    if not scope.is_institute:
        # Regulators only read; admin adds staff in the admin site, where the organization is chosen.
        raise Http404
    form = PersonForm(request.POST or None)
    saved = form_save(request, form, lambda data: services.person_create(actor=request.user, **data))
    if saved is not None:
        person = saved.value
        messages.success(request, _("已添加人员“%(name)s”") % {"name": person.name})
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "person": None})


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _managed_person(request, pk)
    initial = {
        "name": person.name,
        "title": person.title,
        "hired_on": person.hired_on,
        "left_on": person.left_on,
        "phone": person.phone,
    }
    form = PersonForm(request.POST or None, initial=initial, person=person)
    saved = form_save(request, form, lambda data: services.person_update(actor=request.user, person=person, **data))
    if saved is not None:
        messages.success(request, _("修改已保存"))
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def qualification_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _managed_person(request, pk)
    form = QualificationForm(request.POST or None)
    saved = form_save(
        request,
        form,
        lambda data: services.qualification_add(actor=request.user, person=person, **data),
    )
    if saved is not None:
        messages.success(request, _("资质已添加"))
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/qualification_form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def qualification_renew(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    qualification = selectors.qualification_get(request.user, pk)
    person = qualification.person
    if not selectors.may_manage_staff(request.user, person.organization):
        raise Http404
    form = RenewForm(request.POST or None)
    saved = form_save(
        request,
        form,
        lambda data: services.qualification_renew(actor=request.user, qualification=qualification, **data),
    )
    if saved is not None:
        messages.success(request, _("资质已续期"))
        return redirect("people:detail", pk=person.pk)
    context = {"form": form, "person": person, "qualification": qualification}
    return render(request, "people/renew_form.html", context)


@require_GET
def qualification_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    raw = request.GET.get("expiring_within", "")
    days = selectors.EXPIRING_WITHIN_DAYS if raw == "" else int_param(raw, low=0, high=MAX_DAYS)
    errors = []
    if days is None:
        errors.append(_("到期天数应为 0 到 %(max)s 的整数") % {"max": MAX_DAYS})
        days = selectors.EXPIRING_WITHIN_DAYS
    kind = request.GET.get("kind", "")
    if kind and kind not in Qualification.Kind.values:
        errors.append(_("资质类别无效"))
        kind = ""
    qs = selectors.qualification_list(request.user, expiring_within=days, kind=kind)
    page = page_of(request, qs)
    today = clock.today()
    rows = [(q, (q.valid_until - today).days) for q in page.object_list]
    context = {
        "rows": rows,
        "page": page,
        "days": days,
        "kind": kind,
        "kinds": Qualification.Kind.choices,
        "errors": errors,
        "expiring_choices": EXPIRING_CHOICES,
        "query": urlencode({"expiring_within": days, **({"kind": kind} if kind else {})}),
        "show_organization": not scope_of(request.user).is_institute,
    }
    return render(request, "people/qualifications.html", context)


@require_GET
def expert_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    q = request.GET.get("q", "").strip()[:50]
    page = page_of(request, selectors.expert_list(request.user, q=q))
    scope = scope_of(request.user)
    context = {"page": page, "q": q, "may_add": scope.is_regulator or scope.is_admin}
    return render(request, "people/experts.html", context)


@require_http_methods(["GET", "POST"])
def expert_create(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not (scope.is_regulator or scope.is_admin):
        raise Http404
    organizations = organizations_visible_to(request.user).order_by("name")
    form = ExpertForm(request.POST or None, organizations=organizations, initial={"joined_on": clock.today()})
    saved = form_save(
        request,
        form,
        lambda data: services.expert_add(actor=request.user, **data),
    )
    if saved is not None:
        messages.success(request, _("已加入专家库"))
        return redirect("people:experts")
    return render(request, "people/expert_form.html", {"form": form})
