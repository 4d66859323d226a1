"""Reads of measurement standards, their equipment and certificates, and authorizations, scoped by role and region.

- admin: everything;
- regulator: the standards and authorizations of institutes in its region and below (a county regulator only its
  county's);
- institute: its own standards and authorizations;
- owner and anonymous: none (owners see published public information through other pages).

Whether a standard is valid on a day is decided in one place, the validity section below: every other check calls
it. The rule itself is the pure :func:`jiliang.metrology.standard_validity.standard_valid_on`; this module feeds it a
standard's assessment certificate and its equipment's traceability certificates from the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from jiliang.catalog.models import CatalogItem
from jiliang.core import clock
from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Organization, Region, User
from jiliang.core.selectors import filter_given, scoped
from jiliang.metrology.standard_validity import Period, Validity, standard_valid_on

from ..models import Authorization, EquipmentCertificate, Standard, StandardEquipment

# ---- validity: the one place that decides whether a standard is valid on a date ------------------------------


def with_validity_data(qs: QuerySet[Standard]) -> QuerySet[Standard]:
    """Prefetch what :func:`standard_validity` reads, so checking many standards costs three queries."""
    return qs.prefetch_related(
        Prefetch(
            "equipment",
            queryset=StandardEquipment.objects.prefetch_related(
                Prefetch(
                    "certificates",
                    queryset=EquipmentCertificate.objects.only("equipment_id", "issued_on", "valid_until"),
                )
            ),
        )
    )


def standard_validity(standard: Standard, day: date) -> Validity:
    """Whether ``standard`` may be used on ``day`` (assessment certificate and every equipment certificate)."""
    equipment = {
        f"{e.name} {e.serial_number}": [Period(c.issued_on, c.valid_until) for c in e.certificates.all()]
        for e in standard.equipment.all()
    }
    return standard_valid_on(
        day,
        status=standard.status,
        certificate=Period(standard.certificate_issued_on, standard.certificate_valid_until),
        equipment=equipment,
    )


def is_valid_on(standard: Standard, day: date) -> bool:
    return standard_validity(standard, day).valid


def valid_standards(standards: Iterable[Standard], day: date) -> list[Standard]:
    """The standards among ``standards`` valid on ``day`` (pass a queryset through with_validity_data first)."""
    return [s for s in standards if is_valid_on(s, day)]


REASON_TEXT = {
    "status_suspended": lambda subject: _("计量标准已暂停使用"),
    "status_retired": lambda subject: _("计量标准已撤销"),
    "certificate_not_yet_valid": lambda subject: _("考核证书尚未生效"),
    "certificate_expired": lambda subject: _("考核证书已过期"),
    "no_equipment": lambda subject: _("没有登记标准设备"),
    "equipment_not_covered": lambda subject: _("标准设备“%(name)s”没有有效的溯源证书") % {"name": subject},
}


def explain(validity: Validity) -> list[str]:
    """The reasons, in the user's language."""
    return [REASON_TEXT[r.code](r.subject) if r.code in REASON_TEXT else r.code for r in validity.reasons]


@dataclass(frozen=True)
class StandardsForItem:
    """An institute's standards for one item on one day: ``usable`` (valid and covering the item) and ``other``,
    each with the reasons it may not be used, in the user's language."""

    usable: list[Standard]
    other: list[tuple[Standard, list[str]]]


def standards_for_item(institute: Organization | int, catalog_item: CatalogItem | None, day: date) -> StandardsForItem:
    """The institute's standards (retired ones left out) split by whether a record of ``catalog_item`` on ``day``
    may use them: valid that day (:func:`standard_validity`) and, for an item of the catalog, with the item in
    their scope (``Standard.catalog_items``). An instrument outside the catalog needs valid standards only. Three
    queries whatever the number of standards (the scope is an ``EXISTS``, the validity data prefetched)."""
    qs = Standard.objects.filter(holder=institute).exclude(status=Standard.Status.RETIRED)
    if catalog_item is not None:
        scope = Standard.catalog_items.through.objects.filter(
            standard_id=OuterRef("pk"), catalogitem_id=catalog_item.pk
        )
        qs = qs.annotate(covers_item=Exists(scope))
    usable: list[Standard] = []
    other: list[tuple[Standard, list[str]]] = []
    for standard in with_validity_data(qs.order_by("code", "id")):
        reasons = explain(standard_validity(standard, day))
        if catalog_item is not None and not standard.covers_item:  # type: ignore[attr-defined]  # annotated
            reasons.append(_("开展项目不包括“%(item)s”") % {"item": catalog_item.kind})
        if reasons:
            other.append((standard, reasons))
        else:
            usable.append(standard)
    return StandardsForItem(usable, other)


# ---- standards, equipment, authorizations ----------------------------------------------------------------------

# 复查: the application for re-assessment is due six months before the assessment certificate expires.
REASSESSMENT_DAYS = 183


def standards_visible_to(user: User | None) -> QuerySet[Standard]:
    return scoped(Standard.objects.all(), user, region="holder__region_id", institute="holder_id")


def standard_get(user: User | None, standard_id: int) -> Standard:
    """One standard in the actor's scope, with what the validity check and the detail page read."""
    try:
        qs = standards_visible_to(user).select_related("holder", "holder__region")
        return with_validity_data(qs).prefetch_related("catalog_items", "procedures").get(pk=standard_id)
    except (Standard.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundOrForbidden(_("计量标准不存在")) from exc


def equipment_of(standard: Standard) -> QuerySet[StandardEquipment]:
    """The standard's equipment, each with its certificates (newest first) and their issuers."""
    from django.db.models import Prefetch

    certificates = EquipmentCertificate.objects.select_related(
        "issuer_standard", "issuer_standard__holder", "issuer_authority"
    ).order_by("-issued_on", "-id")
    return StandardEquipment.objects.filter(standard=standard).prefetch_related(
        Prefetch("certificates", queryset=certificates)
    )


def certificates_of(standard: Standard) -> QuerySet[EquipmentCertificate]:
    return (
        EquipmentCertificate.objects.filter(equipment__standard=standard)
        .select_related("equipment", "issuer_standard", "issuer_authority")
        .order_by("equipment_id", "-issued_on", "-id")
    )


def equipment_get(user: User | None, equipment_id: int) -> StandardEquipment:
    try:
        visible = standards_visible_to(user)
        return StandardEquipment.objects.select_related("standard").get(pk=equipment_id, standard__in=visible)
    except (StandardEquipment.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundOrForbidden(_("标准设备不存在")) from exc


@dataclass
class StandardFilters:
    holder: int | None = None
    level: str = ""
    is_public: bool | None = None
    is_highest: bool | None = None
    status: str = ""
    # True: valid on ``valid_on`` (default today); False: not valid that day.
    valid: bool | None = None
    valid_on: date | None = None
    reassessment_due: bool = False
    q: str = ""
    errors: list[str] = field(default_factory=list)


def _valid_ids(qs: QuerySet[Standard], day: date) -> list[int]:
    """Ids of the standards in ``qs`` valid on ``day``, decided by the one validity function."""
    cheap = qs.filter(status=Standard.Status.ACTIVE, certificate_issued_on__lte=day, certificate_valid_until__gte=day)
    return [s.pk for s in with_validity_data(cheap.only(*VALIDITY_FIELDS)) if is_valid_on(s, day)]


VALIDITY_FIELDS = ("id", "name", "status", "certificate_issued_on", "certificate_valid_until")


def standard_list(user: User | None, filters: StandardFilters) -> QuerySet[Standard]:
    qs = filter_given(
        standards_visible_to(user),
        holder_id=filters.holder,
        level=filters.level,
        is_public=filters.is_public,
        is_highest=filters.is_highest,
        status=filters.status,
    )
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(code__icontains=term) | Q(measurand__icontains=term))
    if filters.reassessment_due:
        qs = qs.filter(reassessment_due_q())
    if filters.valid is not None:
        ids = _valid_ids(qs, filters.valid_on or clock.today())
        qs = qs.filter(pk__in=ids) if filters.valid else qs.exclude(pk__in=ids)
    return qs.order_by("holder__name", "code", "id")


def reassessment_due_q(*, today: date | None = None, within_days: int = REASSESSMENT_DAYS) -> Q:
    """Standards in use whose assessment certificate expires between today and ``within_days`` from now."""
    today = today or clock.today()
    return Q(
        certificate_valid_until__gte=today,
        certificate_valid_until__lte=today + timedelta(days=within_days),
    ) & ~Q(status=Standard.Status.RETIRED)


def reassessment_due(user: User | None, within_days: int = REASSESSMENT_DAYS) -> QuerySet[Standard]:
    """复查 reminders: the actor's standards whose assessment certificate expires within ``within_days``
    (six months by default), soonest first. Retired standards need no re-assessment."""
    qs = standards_visible_to(user).filter(reassessment_due_q(within_days=within_days))
    return qs.select_related("holder").order_by("certificate_valid_until", "id")


# ---- authorizations --------------------------------------------------------------------------------------------


def authorizations_visible_to(user: User | None) -> QuerySet[Authorization]:
    return scoped(Authorization.objects.all(), user, region="institute__region_id", institute="institute_id")


def authorization_get(user: User | None, authorization_id: int) -> Authorization:
    try:
        return authorizations_visible_to(user).select_related("institute", "issued_by").get(pk=authorization_id)
    except (Authorization.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundOrForbidden(_("计量授权不存在")) from exc


def authorization_in_force_q(day: date, prefix: str = "") -> Q:
    """An authorization in force on ``day``: within its period and not revoked on or before that day."""
    return Q(**{f"{prefix}valid_from__lte": day, f"{prefix}valid_until__gte": day}) & (
        Q(**{f"{prefix}revoked_on__isnull": True}) | Q(**{f"{prefix}revoked_on__gt": day})
    )


def authorization_in_force(authorization: Authorization, day: date) -> bool:
    revoked = authorization.revoked_on is not None and authorization.revoked_on <= day
    return authorization.valid_from <= day <= authorization.valid_until and not revoked


def authorized_institutes(catalog_item: CatalogItem | int, region: Region | int, day: date) -> list[Organization]:
    """Institutes with an authorization in force on ``day`` for ``catalog_item``, seated in ``region``; when none is,
    those seated in the region's city (its nearest city-level ancestor). Not scoped: the system uses it to propose
    an institute to an owner, and which institutes are authorized is public."""
    item_id = catalog_item.pk if isinstance(catalog_item, CatalogItem) else catalog_item
    region_obj = region if isinstance(region, Region) else Region.objects.filter(pk=region).first()
    if region_obj is None:
        return []
    authorized = Authorization.objects.filter(authorization_in_force_q(day), catalog_items=item_id)
    base = Organization.objects.filter(kind=Organization.Kind.INSTITUTE, authorizations__in=authorized).distinct()
    found = list(base.filter(region_id=region_obj.pk).order_by("name", "id"))
    if found:
        return found
    city = region_obj.parent if region_obj.level != Region.Level.CITY else None
    while city is not None and city.level != Region.Level.CITY:
        city = city.parent
    if city is None:
        return []
    return list(base.filter(region_id=city.pk).order_by("name", "id"))
