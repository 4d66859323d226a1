"""What is late in supervision, scoped like everything else — read by the early-warning center
(``jiliang.indicators.selectors.warnings_supervision``):

- results entered but not published by their due day (a regulator of the region; the bureau that inspected acts);
- rectification orders past their deadline with no reply (a regulator of the region, and the ordered organization
  itself: it must reply).
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from jiliang.core.models import User
from jiliang.core.selectors import scoped

from ..models import Inspection, Rectification
from .inspections import rectification_overdue_q
from .publication import results_late_q


def late_results(user: User | None, today: date) -> QuerySet[Inspection]:
    return scoped(Inspection.objects.filter(results_late_q(today)), user, region="region_id")


def overdue_rectifications(user: User | None, today: date) -> QuerySet[Rectification]:
    """Orders still waiting for the organization's reply after their deadline."""
    return scoped(
        Rectification.objects.filter(rectification_overdue_q(today)),
        user,
        region="region_id",
        owner="organization_id",
    )
