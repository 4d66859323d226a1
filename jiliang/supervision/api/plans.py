"""Plans, tasks and draws over HTTP: ``/api/v1/supervision/plans``, ``/api/v1/supervision/tasks`` and the two acts of a
draw. Scoped like the pages: the admin everything, a regulator its region and below, anyone else nothing (an empty
list, 404 for an id); only the bureau that made the plan commits and seeds its tasks' draws."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Path, Query, Router

from jiliang.core.web.http import page_out
from jiliang.core.web.schemas import BODY_ERRORS, ERRORS, MAX_ID

from ..models import Draw
from ..schemas.plans import (
    CommitIn,
    DrawOut,
    PlanListQuery,
    PlanOut,
    PlanPageOut,
    SeedIn,
    TaskListQuery,
    TaskOut,
    TaskPageOut,
)
from ..selectors import plans as selectors
from ..services import plans as services

router = Router(tags=["supervision"])

_DRAWS = Prefetch("draws", queryset=Draw.objects.order_by("round"))


def _tasks(request: HttpRequest):
    return selectors.tasks_visible_to(request.auth).select_related("plan").prefetch_related("items", _DRAWS)


@router.get("/supervision/plans", response={200: PlanPageOut, **ERRORS}, summary="抽查计划列表 / list plans")
def supervision_plan_list(request: HttpRequest, query: Query[PlanListQuery]):
    qs = selectors.plans_visible_to(request.auth).select_related("bureau").order_by("-year", "id")
    if query.year:
        qs = qs.filter(year=query.year)
    return page_out(query, qs, PlanOut.from_plan)


@router.get("/supervision/plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="抽查计划 / one plan")
def supervision_plan_detail(request: HttpRequest, plan_id: int = Path(..., ge=1, le=MAX_ID)):
    return PlanOut.from_plan(selectors.plan_get(request.auth, plan_id))


@router.get("/supervision/tasks", response={200: TaskPageOut, **ERRORS}, summary="抽查任务列表 / list tasks")
def supervision_task_list(request: HttpRequest, query: Query[TaskListQuery]):
    qs = _tasks(request).order_by("-starts_on", "id")
    if query.plan:
        qs = qs.filter(plan_id=query.plan)
    if query.status:
        qs = qs.filter(status=query.status)
    return page_out(query, qs, TaskOut.from_task)


@router.get("/supervision/tasks/{task_id}", response={200: TaskOut, **ERRORS}, summary="抽查任务 / one task")
def supervision_task_detail(request: HttpRequest, task_id: int = Path(..., ge=1, le=MAX_ID)):
    task = selectors.task_get(request.auth, task_id)
    return TaskOut.from_task(_tasks(request).get(pk=task.pk))


@router.post(
    "/supervision/tasks/{task_id}/commit",
    response={201: DrawOut, **BODY_ERRORS},
    summary="冻结名录并公示摘要 / freeze the rosters and publish their digests",
)
def supervision_task_commit(request: HttpRequest, payload: CommitIn, task_id: int = Path(..., ge=1, le=MAX_ID)):
    draw = services.draw_commit(actor=request.auth, task_id=task_id, **payload.dict())
    return 201, DrawOut.from_draw(draw)


@router.post(
    "/supervision/tasks/{task_id}/seed",
    response={200: DrawOut, **BODY_ERRORS},
    summary="录入随机种子并抽取 / enter the seed and draw",
)
def supervision_task_seed(request: HttpRequest, payload: SeedIn, task_id: int = Path(..., ge=1, le=MAX_ID)):
    draw = services.draw_seed(actor=request.auth, task_id=task_id, seed=payload.seed)
    return DrawOut.from_draw(draw)
