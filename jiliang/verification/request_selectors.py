"""Reads of service requests, scoped by role and region.

- admin: every request;
- regulator: the requests of owners in its region and below (a county regulator only its county's);
- institute: the requests routed to it;
- owner: its own requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of

from .clock import WORK_STATUSES
from .models import Certificate, RequestItem, ServiceRequest, VerificationRecord

Status = ServiceRequest.Status


def requests_visible_to(user: User | None) -> QuerySet[ServiceRequest]:
    scope = scope_of(user)
    qs = ServiceRequest.objects.all()
    if scope.is_admin:
        return qs
    if scope.is_regulator and scope.region_ids:
        return qs.filter(region_id__in=scope.region_ids)
    if scope.is_institute and scope.organization_id is not None:
        return qs.filter(institute_id=scope.organization_id)
    if scope.is_owner and scope.organization_id is not None:
        return qs.filter(owner_id=scope.organization_id)
    return qs.none()


def late_q(today: date | None = None) -> Q:
    """Requests late today: still submitted after ``accept_by``, or accepted and not completed after
    ``complete_by`` (see ``jiliang.verification.clock``)."""
    today = today or timezone.localdate()
    return Q(status=Status.SUBMITTED, accept_by__lt=today) | Q(status__in=WORK_STATUSES, complete_by__lt=today)


def request_get(user: User | None, request_id: int) -> ServiceRequest:
    """One request in the actor's scope, with its owner, institute, items (and their records and certificates)
    and events; missing and out-of-scope look the same."""
    records = VerificationRecord.objects.order_by("-performed_on", "-id").prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("-issued_at", "-id"))
    )
    items = (
        RequestItem.objects.select_related("instrument", "instrument__catalog_item")
        .prefetch_related(Prefetch("records", queryset=records))
        .order_by("id")
    )
    try:
        return (
            requests_visible_to(user)
            .select_related("owner", "region", "institute", "created_by")
            .prefetch_related(Prefetch("items", queryset=items), "events", "events__actor")
            .get(pk=request_id)
        )
    except (ServiceRequest.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundOrForbidden(_("服务申请不存在")) from exc


@dataclass
class RequestFilters:
    status: str = ""
    late: bool = False
    county: int | None = None
    q: str = ""
    errors: list[str] = field(default_factory=list)


def parse_request_filters(params) -> RequestFilters:
    """Filters from a query dict; a bad value is reported, never silently dropped."""
    filters = RequestFilters()
    status = (params.get("status") or "").strip()
    if status:
        if status in Status.values:
            filters.status = status
        else:
            filters.errors.append(_("状态无效"))
    late = (params.get("late") or "").strip().lower()
    if late in {"1", "true", "on", "yes"}:
        filters.late = True
    elif late not in {"", "0", "false", "off", "no"}:
        filters.errors.append(_("超期筛选无效"))
    county = (params.get("county") or "").strip()
    if county:
        try:
            filters.county = int(county)
            if not 0 < filters.county < 2**31:
                raise ValueError
        except ValueError:
            filters.county = None
            filters.errors.append(_("县（区）无效"))
    filters.q = (params.get("q") or "").strip()[:64]
    return filters


def request_list(user: User | None, filters: RequestFilters, *, today: date | None = None) -> QuerySet[ServiceRequest]:
    qs = requests_visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.late:
        qs = qs.filter(late_q(today))
    if filters.county:
        qs = qs.filter(region_id=filters.county)
    if filters.q:
        qs = qs.filter(Q(number__icontains=filters.q) | Q(owner__name__icontains=filters.q))
    return (
        qs.select_related("owner", "region", "institute")
        .annotate(item_count=Count("items"))
        .order_by("-submitted_at", "-id")
    )


def late_counts(user: User | None, *, today: date | None = None) -> dict[str, int]:
    """How many requests in the actor's scope are late today: ``accept`` (not accepted in time), ``complete``
    (not completed in time) and ``total``. The early-warning page reads this."""
    today = today or timezone.localdate()
    counts = requests_visible_to(user).aggregate(
        accept=Count("id", filter=Q(status=Status.SUBMITTED, accept_by__lt=today)),
        complete=Count("id", filter=Q(status__in=WORK_STATUSES, complete_by__lt=today)),
    )
    return {"accept": counts["accept"], "complete": counts["complete"], "total": counts["accept"] + counts["complete"]}


def late_counts_by_region(user: User | None, *, today: date | None = None) -> list[dict]:
    """Late requests per owner region (county) in the actor's scope: ``[{"region": id, "accept": n, "complete": n}]``."""
    today = today or timezone.localdate()
    return list(
        requests_visible_to(user)
        .filter(late_q(today))
        .values("region")
        .annotate(
            accept=Count("id", filter=Q(status=Status.SUBMITTED)),
            complete=Count("id", filter=Q(status__in=WORK_STATUSES)),
        )
        .order_by("region")
    )
