"""Reads of annual plans, tasks and draws, scoped by role and region; and what the public may read.

A regulator reads the plans of the bureaus in its region and below (the city bureau reads its counties' plans);
it manages only its own bureau's. The public reads a task once its draw is committed (the rosters' digests are
public from then on) and every round of it, a redraw marked as one.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of, scoped

from ..models import AnnualPlan, Draw, Task


def plans_visible_to(user: User | None) -> QuerySet[AnnualPlan]:
    return scoped(AnnualPlan.objects.all(), user, region="region_id")


def plan_get(user: User | None, pk: int) -> AnnualPlan:
    row = plans_visible_to(user).select_related("bureau", "region").filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(_("抽查计划不存在"))
    return row


def may_manage_plan(user: User | None, plan: AnnualPlan | None = None) -> bool:
    """Only the bureau that made the plan changes it, adds tasks and runs their draws."""
    scope = scope_of(user)
    if not scope.is_regulator or scope.organization_id is None:
        return False
    return plan is None or plan.bureau_id == scope.organization_id


def tasks_visible_to(user: User | None) -> QuerySet[Task]:
    return scoped(Task.objects.all(), user, region="region_id")


def task_get(user: User | None, pk: int) -> Task:
    row = tasks_visible_to(user).select_related("plan", "plan__bureau", "region").filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(_("抽查任务不存在"))
    return row


def draws_of(task: Task) -> QuerySet[Draw]:
    return task.draws.order_by("round")


def draw_get(user: User | None, pk: int) -> Draw:
    row = Draw.objects.filter(task__in=tasks_visible_to(user), pk=pk).select_related("task").first()
    if row is None:
        raise NotFoundOrForbidden(_("抽取记录不存在"))
    return row


# ---------------------------------------------------------------------------------------------------------------
# The public


def public_tasks() -> QuerySet[Task]:
    """Tasks whose draw has been committed: their digests, and later their results, are public."""
    return Task.objects.exclude(status=Task.Status.DRAFT).select_related("plan__bureau", "region")


def public_task_get(pk: int) -> Task:
    row = public_tasks().filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(_("抽查任务不存在或尚未公示"))
    return row


def public_draw_get(pk: int) -> Draw:
    row = Draw.objects.filter(task__in=public_tasks(), pk=pk).select_related("task", "task__plan__bureau").first()
    if row is None:
        raise NotFoundOrForbidden(_("抽取记录不存在或尚未公示"))
    return row
