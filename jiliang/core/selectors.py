"""Who may see what. Every read in every app goes through a selector that starts from :func:`scope_of`.

- admin: everything;
- regulator: its own region and every region below it (the city bureau sees all counties);
- institute and owner: their own organization's records (apps decide what else is routed to an institute).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from .errors import NotFoundOrForbidden
from .models import Organization, Region, Role, User


@dataclass(frozen=True)
class Scope:
    role: str
    organization_id: int | None
    # Regions the actor may see; None means every region (admin).
    region_ids: frozenset[int] | None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_regulator(self) -> bool:
        return self.role == Role.REGULATOR

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_institute(self) -> bool:
        return self.role == Role.INSTITUTE


M = TypeVar("M", bound=Model)

NOTHING = Scope(role="", organization_id=None, region_ids=frozenset())


def region_and_descendants(region_id: int) -> frozenset[int]:
    found = {region_id}
    frontier = [region_id]
    while frontier:
        children = list(Region.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return frozenset(found)


def scope_of(user: User | None) -> Scope:
    """The actor's scope; an anonymous or inactive user, or one without an organization, sees nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached: Scope | None = getattr(user, "_jiliang_scope", None)
    if cached is not None:
        return cached
    if user.role == Role.ADMIN:
        scope = Scope(role=Role.ADMIN, organization_id=None, region_ids=None)
    elif (organization := user.organization) is None:
        scope = NOTHING
    else:
        if user.role == Role.REGULATOR:
            regions = region_and_descendants(organization.region_id)
        else:
            regions = frozenset({organization.region_id})
        scope = Scope(role=user.role, organization_id=organization.pk, region_ids=regions)
    user._jiliang_scope = scope  # type: ignore[attr-defined]
    return scope


def scoped(
    qs: QuerySet[M], user: User | None, *, region: str = "", owner: str = "", institute: str = ""
) -> QuerySet[M]:
    """``qs`` cut to what ``user`` may see, each role by the field named for it: everything for the admin; for a
    regulator, the rows whose ``region`` is one of its regions; for an owner (an institute), the rows whose ``owner``
    (``institute``) is its organization. Nothing for anyone else, nor for a role whose field is not named."""
    scope = scope_of(user)
    if scope.is_admin:
        return qs
    if scope.is_regulator and scope.region_ids and region:
        return qs.filter(**{f"{region}__in": scope.region_ids})
    own = owner if scope.is_owner else institute if scope.is_institute else ""
    if own and scope.organization_id is not None:
        return qs.filter(**{own: scope.organization_id})
    return qs.none()


def filter_given(qs: QuerySet[M], **lookups: Any) -> QuerySet[M]:
    """``qs`` filtered on those of ``lookups`` a list's filters give: an empty value (None, "", 0) asks for no
    filter; a yes/no value filters whether it is yes or no."""
    given = {lookup: value for lookup, value in lookups.items() if isinstance(value, bool) or value}
    return qs.filter(**given) if given else qs


def locked_one(qs: QuerySet[M], pk: Any, missing: str) -> M:
    """The row ``pk`` of ``qs`` (a selector's rows in scope), locked until the caller's transaction ends; a row that
    is not there, or a ``pk`` that is no id, is ``NotFoundOrForbidden(missing)``."""
    try:
        row = qs.select_for_update().filter(pk=pk).first()
    except (ValueError, TypeError, OverflowError):
        row = None
    if row is None:
        raise NotFoundOrForbidden(missing)
    return row


def regions_visible_to(user: User | None) -> QuerySet[Region]:
    scope = scope_of(user)
    if scope.region_ids is None:
        return Region.objects.all()
    return Region.objects.filter(id__in=scope.region_ids)


def counties_visible_to(user: User | None) -> QuerySet[Region]:
    return regions_visible_to(user).filter(level=Region.Level.COUNTY)


def organizations_visible_to(user: User | None, *, kind: str | None = None) -> QuerySet[Organization]:
    scope = scope_of(user)
    qs = Organization.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if scope.region_ids is None:
        return qs
    if scope.is_regulator:
        return qs.filter(region_id__in=scope.region_ids)
    if scope.organization_id is None:
        return qs.none()
    return qs.filter(id=scope.organization_id)
