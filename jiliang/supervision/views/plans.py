"""Pages of annual plans, their tasks and each task's draw. Regulators only: anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.core.models import Region
from jiliang.core.selectors import region_and_descendants
from jiliang.core.web.forms import form_save
from jiliang.core.web.http import page_of

from ..forms.plans import CommitForm, PlanForm, SeedForm, TaskForm
from ..models import Task
from ..selectors import plans as selectors
from ..selectors.rosters import is_supervisor, items_for
from ..services import plans as services
from ..services import publication


def _reader(request: HttpRequest) -> None:
    if not is_supervisor(request.user):
        raise Http404


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    rows = selectors.plans_visible_to(request.user).select_related("bureau").order_by("-year", "bureau__name")
    page = page_of(request, rows)
    context = {
        "rows": page.object_list,
        "page": page,
        "query": "",
        "may_create": selectors.may_manage_plan(request.user),
    }
    return render(request, "supervision/plans/list.html", context)


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    _reader(request)
    if not selectors.may_manage_plan(request.user):
        raise Http404
    form = PlanForm(request.POST or None, initial={"year": clock.today().year})
    saved = form_save(request, form, lambda data: services.plan_create(actor=request.user, **data))
    if saved:
        messages.success(request, _("已创建抽查计划"))
        return redirect("supervision:detail", saved.value.pk)
    return render(request, "supervision/plans/form.html", {"form": form})


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    plan = selectors.plan_get(request.user, pk)
    tasks = plan.tasks.order_by("number")
    context = {"plan": plan, "tasks": tasks, "may_manage": selectors.may_manage_plan(request.user, plan)}
    return render(request, "supervision/plans/detail.html", context)


@require_POST
def plan_file(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    services.plan_file(actor=request.user, plan_id=pk)
    messages.success(request, _("计划已备案"))
    return redirect("supervision:detail", pk)


@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    plan = selectors.plan_get(request.user, pk)
    if not selectors.may_manage_plan(request.user, plan):
        raise Http404
    regions = Region.objects.filter(pk__in=region_and_descendants(plan.region_id), level=Region.Level.COUNTY).order_by(
        "code"
    )
    form = TaskForm(request.POST or None, items=items_for(request.user), regions=regions)

    def save(data: dict) -> Task:
        return services.task_create(
            actor=request.user,
            plan_id=plan.pk,
            name=data["name"],
            kind=data["kind"],
            item_ids=[item.pk for item in data["items"]],
            object_categories=data["object_categories"],
            object_region_ids=[region.pk for region in data["object_regions"]],
            quotas=data["quotas"],
            per_target=data["per_target"],
            exclusion_days=data["exclusion_days"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            lead_unit=data["lead_unit"],
            joint_departments=data["joint_departments"],
        )

    saved = form_save(request, form, save, aliases={"item_ids": "items", "object_region_ids": "object_regions"})
    if saved:
        messages.success(request, _("已添加抽查任务"))
        return redirect("supervision:task_detail", saved.value.pk)
    return render(request, "supervision/plans/task_form.html", {"form": form, "plan": plan})


@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    task = selectors.task_get(request.user, pk)
    draws = list(selectors.draws_of(task))
    current = draws[-1] if draws else None
    may_manage = selectors.may_manage_plan(request.user, task.plan)
    context = {
        "task": task,
        "draws": draws,
        "current": current,
        "targets": current.targets.select_related("organization").prefetch_related("inspectors")
        if current is not None and current.status == current.Status.DRAWN
        else [],
        "may_manage": may_manage,
        "commit_form": CommitForm(initial={"seed_source": task.seed_source}) if may_manage else None,
        "seed_form": SeedForm() if may_manage else None,
        "items": task.items.order_by("code"),
        "unpublished": task.inspections.filter(status="submitted").count() if may_manage else 0,
    }
    return render(request, "supervision/plans/task_detail.html", context)


@require_POST
def task_commit(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    form = CommitForm(request.POST)
    saved = form_save(
        request, form, lambda data: services.draw_commit(actor=request.user, task_id=pk, **data), missing_is_404=True
    )
    if saved:
        messages.success(request, _("名录已冻结，摘要已公示"))
        return redirect("supervision:task_detail", pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("supervision:task_detail", pk)


@require_POST
def task_seed(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    form = SeedForm(request.POST)
    saved = form_save(
        request, form, lambda data: services.draw_seed(actor=request.user, task_id=pk, **data), missing_is_404=True
    )
    if saved:
        messages.success(request, _("已完成抽取，结果已公示"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("supervision:task_detail", pk)


@require_POST
def task_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish every submitted result of the task (双随机、一公开)."""
    _reader(request)
    task = selectors.task_get(request.user, pk)
    if not selectors.may_manage_plan(request.user, task.plan):
        raise Http404
    try:
        count = publication.task_results_publish(actor=request.user, task_id=task.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已公示 %(n)s 户的抽查结果") % {"n": count})
    return redirect("supervision:task_detail", pk)
