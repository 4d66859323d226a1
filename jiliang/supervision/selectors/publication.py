"""What the public reads of spot-check results and what the bureaus must still publish.

Public: results published and not withdrawn (``Publication`` of kind result), newest first, by task or city.
Staff: submitted results not yet published, and those past their ``publish_due`` (for the warnings).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from jiliang.core import clock
from jiliang.core.models import User
from jiliang.core.selectors import scoped

from ..models import Inspection, Publication


def public_results() -> QuerySet[Publication]:
    today = clock.today()
    return Publication.objects.filter(kind=Publication.Kind.RESULT, withdrawn_at__isnull=True).filter(
        Q(visible_until__isnull=True) | Q(visible_until__gte=today)
    )


def public_results_of_task(task_id: int) -> QuerySet[Publication]:
    return public_results().filter(inspection__task_id=task_id).order_by("inspection__organization__credit_code")


def unpublished_results(user: User | None) -> QuerySet[Inspection]:
    """Submitted results in the actor's scope that are not yet published."""
    return scoped(Inspection.objects.filter(status=Inspection.Status.SUBMITTED), user, region="region_id")


def results_late_q(today: date | None = None) -> Q:
    """A submitted result not published by its due day."""
    return Q(status=Inspection.Status.SUBMITTED, publish_due__lt=today or clock.today())
