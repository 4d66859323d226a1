"""The early-warning center's kinds from supervision (双随机、一公开 and enforcement), read through
``jiliang.supervision.selectors.deadlines`` so that each row is scoped like supervision's own pages:

- ``results_unpublished``: spot-check results entered but not published by their due day (20 working days by
  default), one row per inspection; who acts: the bureau that inspected.
- ``rectification_overdue``: rectification orders past their deadline with no reply, one row each; who acts: the
  ordered organization (which gets this kind too), then the bureau, which re-checks or opens a case.

Registered in ``warnings._READERS`` at the end of that module.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from jiliang.core.models import User
from jiliang.supervision.selectors import deadlines

from .warnings import WarningKind, WarningRow

ROW_LIMIT = 500


def rows_results(user: User | None, county: int | None, today: date) -> list[WarningRow]:
    qs = deadlines.late_results(user, today)
    if county:
        qs = qs.filter(region_id=county)
    qs = qs.select_related("organization", "region", "bureau").order_by("publish_due", "id")[:ROW_LIMIT]
    return [
        WarningRow(
            kind=WarningKind.RESULTS_UNPUBLISHED,
            what=_("%(organization)s 的检查结果（%(number)s）逾期未公示")
            % {"organization": i.organization.name, "number": i.number},
            region_id=i.region_id,
            region=i.region.name,
            count=1,
            actor=i.bureau.name,
            actor_role=_("检查部门"),
            due=i.publish_due,
            url=_inspection_url(i.pk),
        )
        for i in qs
    ]


def count_results(user: User | None, county: int | None, today: date) -> int:
    qs = deadlines.late_results(user, today)
    return (qs.filter(region_id=county) if county else qs).count()


def rows_rectifications(user: User | None, county: int | None, today: date) -> list[WarningRow]:
    qs = deadlines.overdue_rectifications(user, today)
    if county:
        qs = qs.filter(region_id=county)
    qs = qs.select_related("organization", "region").order_by("deadline", "id")[:ROW_LIMIT]
    return [
        WarningRow(
            kind=WarningKind.RECTIFICATION_OVERDUE,
            what=_("责令改正 %(number)s（%(organization)s）逾期未回复整改情况")
            % {"number": r.number, "organization": r.organization.name},
            region_id=r.region_id,
            region=r.region.name,
            count=1,
            actor=r.organization.name,
            actor_role=_("整改单位"),
            due=r.deadline,
            url=_rectification_url(r.pk),
        )
        for r in qs
    ]


def count_rectifications(user: User | None, county: int | None, today: date) -> int:
    qs = deadlines.overdue_rectifications(user, today)
    return (qs.filter(region_id=county) if county else qs).count()


def _inspection_url(pk: int) -> str:
    return reverse("supervision:inspection_detail", args=[pk])


def _rectification_url(pk: int) -> str:
    return reverse("supervision:rectification_detail", args=[pk])
