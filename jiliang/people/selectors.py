"""Reads of staff, qualifications and the expert pool, always scoped by the actor's role and region.

Who sees whom:

- admin: everyone;
- regulator: the staff of organizations in its region and below (a county regulator only its county's);
- institute: its own staff;
- owner (and anyone else): nobody. Owners never see staff pages or staff data, not even names: the names of the
  people who verified an owner's instruments reach it on its certificates, not through these lists.

Personal data (masked ID number, phone, hire date) goes to exactly the same callers (:func:`may_see_personal`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from jiliang.catalog.models import CatalogItem
from jiliang.core import clock
from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import filter_given, scope_of, scoped

from .models import Expert, Person, Qualification

EXPIRING_WITHIN_DAYS = 90


def persons_visible_to(user: User | None) -> QuerySet[Person]:
    return scoped(Person.objects.all(), user, region="organization__region_id", institute="organization_id")


def may_see_personal(user: User | None, person: Person) -> bool:
    """Masked ID number, phone and hire date: the person's own organization, regulators in scope, admin."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if scope.is_regulator and scope.region_ids:
        return person.organization.region_id in scope.region_ids
    if scope.is_institute:
        return scope.organization_id is not None and person.organization_id == scope.organization_id
    return False


def may_manage_staff(user: User | None, organization: Organization | None = None) -> bool:
    """An institute manages its own staff (and admin anyone's); regulators only read."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if not scope.is_institute or scope.organization_id is None:
        return False
    return organization is None or organization.pk == scope.organization_id


def person_get(user: User | None, person_id: int) -> Person:
    """One person in the actor's scope; missing and out-of-scope look the same."""
    try:
        return persons_visible_to(user).select_related("organization", "organization__region").get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundOrForbidden(_("人员不存在")) from exc


def expiring_q(within_days: int, *, today: date | None = None, prefix: str = "") -> Q:
    """Valid today and ending within ``within_days`` days: ``today <= valid_until <= today + within_days``.

    A qualification that ended yesterday is expired, not expiring; one ending today still counts (it is valid
    through its last day)."""
    today = today or clock.today()
    return Q(**{f"{prefix}valid_until__gte": today, f"{prefix}valid_until__lte": today + timedelta(days=within_days)})


@dataclass
class PersonFilters:
    organization: int | None = None
    title: str = ""
    kind: str = ""
    # Only staff holding a qualification that expires within this many days.
    expiring_within: int | None = None
    q: str = ""
    errors: list[str] = field(default_factory=list)


def person_list(user: User | None, filters: PersonFilters, *, today: date | None = None) -> QuerySet[Person]:
    qs = filter_given(persons_visible_to(user), organization_id=filters.organization, title=filters.title)
    if filters.kind:
        qs = qs.filter(Exists(Qualification.objects.filter(person_id=OuterRef("pk"), kind=filters.kind)))
    if filters.expiring_within is not None:
        expiring = Qualification.objects.filter(expiring_q(filters.expiring_within, today=today))
        qs = qs.filter(Exists(expiring.filter(person_id=OuterRef("pk"))))
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    return qs.order_by("organization__name", "name", "id")


def qualifications_visible_to(user: User | None) -> QuerySet[Qualification]:
    return scoped(
        Qualification.objects.all(), user, region="person__organization__region_id", institute="person__organization_id"
    )


def qualification_get(user: User | None, qualification_id: int) -> Qualification:
    try:
        return qualifications_visible_to(user).select_related("person", "person__organization").get(pk=qualification_id)
    except (Qualification.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFoundOrForbidden(_("资质不存在")) from exc


def qualification_list(
    user: User | None,
    *,
    expiring_within: int | None = EXPIRING_WITHIN_DAYS,
    kind: str = "",
    organization: int | None = None,
    today: date | None = None,
) -> QuerySet[Qualification]:
    """Qualifications in scope, soonest to expire first; ``expiring_within=None`` lists all of them."""
    qs = qualifications_visible_to(user)
    if expiring_within is not None:
        qs = qs.filter(expiring_q(expiring_within, today=today))
    if kind:
        qs = qs.filter(kind=kind)
    if organization:
        qs = qs.filter(person__organization_id=organization)
    return qs.select_related("person", "person__organization").order_by("valid_until", "id")


def experts_visible_to(user: User | None) -> QuerySet[Expert]:
    """The expert pool, scoped like staff by the expert's organization (owners see none)."""
    return scoped(Expert.objects.all(), user, region="organization__region_id", institute="organization_id")


def expert_list(user: User | None, *, active: bool | None = True, q: str = "") -> QuerySet[Expert]:
    qs = experts_visible_to(user).select_related("organization", "person")
    if active is not None:
        qs = qs.filter(active=active)
    if q:
        term = q.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(specialties__icontains=term))
    return qs.order_by("name", "id")


def qualification_is_valid_on(qualification: Qualification, day: date) -> bool:
    """Valid from its issue date through its last day, both included."""
    return qualification.issued_on <= day <= qualification.valid_until


def _verifier_covers_q(catalog_item: CatalogItem, day: date) -> Q:
    """A verifier qualification valid on ``day`` whose scope names ``catalog_item`` or the regulation the catalog
    names for it."""
    procedure = (catalog_item.procedure or "").strip()
    covers = Q(catalog_items=catalog_item)
    if procedure:
        covers |= Q(procedures__code=procedure)
    return covers & Q(kind=Qualification.Kind.VERIFIER, issued_on__lte=day, valid_until__gte=day)


def on_staff_q(day: date, prefix: str = "") -> Q:
    """On staff on ``day``: ``left_on`` is the last working day."""
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})


def verifier_qualified(person: Person, catalog_item: CatalogItem, day: date) -> bool:
    """Whether ``person`` may verify instruments of ``catalog_item`` on ``day``.

    True when the person is on staff that day (``left_on`` is the last working day) and holds a verifier
    qualification valid that day (issued on or before it, valid until on or after it) whose scope names the
    catalog item itself or the regulation (JJG/JJF code) the catalog names for it.
    """
    if person.left_on is not None and day > person.left_on:
        return False
    return Qualification.objects.filter(_verifier_covers_q(catalog_item, day), person=person).exists()


def qualified_people(organization: Organization | int, catalog_item: CatalogItem, day: date) -> QuerySet[Person]:
    """The staff of ``organization`` who may verify ``catalog_item`` on ``day``, by name: exactly the people for
    whom :func:`verifier_qualified` is true, in one query (an ``EXISTS`` per row, not a query per person). The
    record form lists them for its three signatures; the signing steps filter it by the signer
    (``qualified_people(...).filter(pk=person.pk).exists()``)."""
    qualification = Qualification.objects.filter(_verifier_covers_q(catalog_item, day), person_id=OuterRef("pk"))
    return (
        Person.objects.filter(on_staff_q(day), organization=organization)
        .filter(Exists(qualification))
        .order_by("name", "id")
    )


def staff_on(organization: Organization | int, day: date) -> QuerySet[Person]:
    """The staff of ``organization`` on ``day``, by name (an instrument outside the catalog has no qualification
    to hold)."""
    return Person.objects.filter(on_staff_q(day), organization=organization).order_by("name", "id")
