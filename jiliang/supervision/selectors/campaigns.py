"""Reads of special campaigns (专项检查) and their dashboard by county, scoped like plans: a regulator its region and
below, the admin everything, nobody else.

The dashboard counts, per county of the campaign's region, over the campaign's inspections (directly, or through
its tasks): the organizations checked (submitted inspections), those with a problem (a result category marked as a
problem), the rectification orders, the cases opened from them, and the fines decided; and the problems by kind
(each non-compliant checklist line, by its text). One grouped query per figure, whatever the number of rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Region, User
from jiliang.core.selectors import region_and_descendants, scope_of, scoped

from ..models import Campaign, Case, Finding, Inspection, Rectification


def campaigns_visible_to(user: User | None) -> QuerySet[Campaign]:
    return scoped(Campaign.objects.all(), user, region="region_id")


def campaign_get(user: User | None, pk: int) -> Campaign:
    row = campaigns_visible_to(user).select_related("bureau", "region").filter(pk=pk).first()
    if row is None:
        raise NotFoundOrForbidden(_("专项检查不存在"))
    return row


def may_create_campaign(user: User | None) -> bool:
    scope = scope_of(user)
    return scope.is_regulator and scope.organization_id is not None


def campaign_inspections(campaign: Campaign) -> QuerySet[Inspection]:
    """The campaign's inspections: recorded in it, or made for one of its tasks."""
    return Inspection.objects.filter(Q(campaign=campaign) | Q(task__campaign=campaign))


@dataclass
class CountyRow:
    region_id: int
    name: str
    checked: int = 0
    problems: int = 0
    orders: int = 0
    cases: int = 0
    fines: Decimal = Decimal("0")


@dataclass
class Dashboard:
    rows: list[CountyRow]
    problem_kinds: list[tuple[str, int]] = field(default_factory=list)
    in_progress: int = 0

    @property
    def totals(self) -> CountyRow:
        total = CountyRow(region_id=0, name=_("合计"))
        for row in self.rows:
            total.checked += row.checked
            total.problems += row.problems
            total.orders += row.orders
            total.cases += row.cases
            total.fines += row.fines
        return total

    def chart(self) -> dict[str, object]:
        """The data of the page's two charts (json_script)."""
        return {
            "rows": [
                {"name": r.name, "checked": r.checked, "problems": r.problems, "orders": r.orders, "cases": r.cases}
                for r in self.rows
            ],
            "labels": {
                "checked": _("检查户数"),
                "problems": _("发现问题"),
                "orders": _("责令改正"),
                "cases": _("立案"),
            },
            "kinds": [{"name": name, "value": n} for name, n in self.problem_kinds],
            "kinds_label": _("问题类型"),
        }


PROBLEM_KINDS_SHOWN = 10


def campaign_dashboard(campaign: Campaign) -> Dashboard:
    counties = Region.objects.filter(
        pk__in=region_and_descendants(campaign.region_id), level=Region.Level.COUNTY
    ).order_by("code")
    rows = {region.pk: CountyRow(region_id=region.pk, name=region.name) for region in counties}
    if campaign.region.level == Region.Level.COUNTY and campaign.region_id not in rows:
        rows[campaign.region_id] = CountyRow(region_id=campaign.region_id, name=campaign.region.name)
    inspections = campaign_inspections(campaign)
    submitted = inspections.exclude(status=Inspection.Status.DRAFT)
    grouped = (
        submitted.order_by()
        .values("region_id")
        .annotate(checked=Count("id"), problems=Count("id", filter=Q(result__problem=True)))
        .values_list("region_id", "checked", "problems")
    )
    for region_id, checked, problems in grouped:
        if region_id in rows:
            rows[region_id].checked, rows[region_id].problems = checked, problems
    orders = (
        Rectification.objects.filter(inspection__in=inspections)
        .order_by()
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    for region_id, n in orders:
        if region_id in rows:
            rows[region_id].orders = n
    cases = Case.objects.filter(Q(inspection__in=inspections) | Q(rectification__inspection__in=inspections))
    grouped_cases = (
        cases.order_by()
        .values("region_id")
        .annotate(n=Count("id", distinct=True), fines=Sum("fine", filter=Q(decided_on__isnull=False)))
        .values_list("region_id", "n", "fines")
    )
    for region_id, n, fines in grouped_cases:
        if region_id in rows:
            rows[region_id].cases, rows[region_id].fines = n, fines or Decimal("0")
    kinds: Counter[str] = Counter(
        dict(
            Finding.objects.filter(inspection__in=submitted, compliant=False)
            .order_by()
            .values("text")
            .annotate(n=Count("id"))
            .values_list("text", "n")
        )
    )
    return Dashboard(
        rows=list(rows.values()),
        problem_kinds=kinds.most_common(PROBLEM_KINDS_SHOWN),
        in_progress=inspections.filter(status=Inspection.Status.DRAFT).count(),
    )
