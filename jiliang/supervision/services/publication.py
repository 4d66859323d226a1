"""Publishing spot-check results (双随机、一公开: "results are published promptly"). A submitted inspection's result
is published by the bureau that made it; its ``publish_due`` (set when the result was entered, 20 working days by
default, ``jiliang.metrology.cases.spot_check_publication_deadline``) is what the warnings watch. A published result
is a ``Publication`` row that is never deleted.

Penalty decisions are published by the case services (``services.cases``), on their own clock.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of

from ..models import Inspection, Publication


def result_body(inspection: Inspection) -> dict[str, str]:
    """What the public sees of a result: the organization (a market entity, public by its credit code), the task,
    the bureau, the day and the result category. No inspector's or person's data."""
    task, campaign, result = inspection.task, inspection.campaign, inspection.result
    return {
        "organization": inspection.organization.name,
        "credit_code": inspection.organization.credit_code,
        "region": inspection.region.name,
        "bureau": inspection.bureau.name,
        "task": task.number if task else "",
        "task_name": task.name if task else "",
        "campaign": campaign.name if campaign else "",
        "inspected_on": inspection.inspected_on.isoformat(),
        "result": result.name if result else "",
        "inspection": inspection.number,
    }


def result_publish(*, actor: User, inspection_id: int) -> Publication:
    """Publish one submitted inspection's result. Only its own bureau publishes it."""
    scope = scope_of(actor)
    with transaction.atomic():
        inspection = (
            Inspection.objects.select_for_update(of=("self",))
            .select_related("organization", "region", "bureau", "task", "campaign", "result")
            .filter(pk=inspection_id)
            .first()
        )
        if inspection is None or not scope.is_regulator or inspection.bureau_id != scope.organization_id:
            raise NotFoundOrForbidden(_("检查记录不存在"))
        if inspection.status != Inspection.Status.SUBMITTED:
            if inspection.status == Inspection.Status.PUBLISHED:
                raise DomainError(_("检查结果已公示"), code="conflict")
            raise DomainError(_("检查结果尚未录入，不能公示"), code="conflict")
        now = clock.now()
        publication = Publication.objects.create(
            kind=Publication.Kind.RESULT,
            region_id=inspection.region_id,
            inspection=inspection,
            title=_("%(organization)s 抽查检查结果") % {"organization": inspection.organization.name},
            body=result_body(inspection),
            due_on=inspection.publish_due or clock.today(),
            published_at=now,
            published_by=actor,
        )
        inspection.status = Inspection.Status.PUBLISHED
        inspection.published_at = now
        inspection.save(update_fields=["status", "published_at"])
        audit.record(
            actor=actor,
            action="inspection.publish",
            obj=inspection,
            changes={
                "publication": publication.pk,
                "due_on": publication.due_on.isoformat(),
                "late": clock.today() > publication.due_on,
            },
        )
    return publication


def task_results_publish(*, actor: User, task_id: int) -> int:
    """Publish every submitted result of a task the actor's bureau made; returns how many were published."""
    scope = scope_of(actor)
    ids = list(
        Inspection.objects.filter(
            task_id=task_id, status=Inspection.Status.SUBMITTED, bureau_id=scope.organization_id
        ).values_list("id", flat=True)
    )
    if not scope.is_regulator or not ids:
        raise DomainError(_("没有待公示的检查结果"), code="conflict")
    for pk in ids:
        result_publish(actor=actor, inspection_id=pk)
    return len(ids)
