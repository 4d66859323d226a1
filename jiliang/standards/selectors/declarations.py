"""Reads of enterprise self-declarations of metrology capability (企业计量技术能力自我声明).

An owner sees its own declarations; a regulator those of owners in its region and below; the admin all; and every
logged-in user sees published ones (that is what publishing is for). Anything else answers like a missing record.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of

from ..models import CapabilityDeclaration

Status = CapabilityDeclaration.Status

# The states in which the owner may still edit and submit.
EDITABLE = (Status.DRAFT, Status.RETURNED)


def declarations_visible_to(user: User | None) -> QuerySet[CapabilityDeclaration]:
    scope = scope_of(user)
    qs = CapabilityDeclaration.objects.select_related("organization", "organization__region")
    if not scope.role:
        return qs.none()
    if scope.is_admin:
        return qs
    published = Q(status=Status.PUBLISHED)
    if scope.is_regulator and scope.region_ids:
        return qs.filter(published | Q(organization__region_id__in=scope.region_ids))
    if scope.is_owner and scope.organization_id is not None:
        return qs.filter(published | Q(organization_id=scope.organization_id))
    return qs.filter(published)


def declaration_get(user: User | None, declaration_id: int) -> CapabilityDeclaration:
    try:
        return declarations_visible_to(user).get(pk=declaration_id)
    except (CapabilityDeclaration.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundOrForbidden(_("能力声明不存在")) from exc


def declarations_of_owner(user: User | None) -> QuerySet[CapabilityDeclaration]:
    """The owner's own declarations, in every state, newest first."""
    scope = scope_of(user)
    if not may_declare(user) or scope.organization_id is None:
        return CapabilityDeclaration.objects.none()
    return declarations_visible_to(user).filter(organization_id=scope.organization_id).order_by("-id")


def declarations_to_review(user: User | None) -> QuerySet[CapabilityDeclaration]:
    """What a regulator (or the admin) has to act on: submitted and accepted-but-unpublished declarations."""
    scope = scope_of(user)
    if not (scope.is_regulator or scope.is_admin):
        return CapabilityDeclaration.objects.none()
    qs = declarations_visible_to(user).filter(status__in=[Status.SUBMITTED, Status.ACCEPTED])
    if scope.region_ids is not None:
        qs = qs.filter(organization__region_id__in=scope.region_ids)
    return qs.order_by("submitted_at", "id")


def declarations_published(user: User | None) -> QuerySet[CapabilityDeclaration]:
    return declarations_visible_to(user).filter(status=Status.PUBLISHED).order_by("-published_at", "-id")


def may_declare(user: User | None) -> bool:
    """An owner whose organization has a laboratory (``Organization.has_lab``): only such an owner declares its
    capabilities; a market or a petrol station has nothing to declare."""
    scope = scope_of(user)
    return bool(scope.is_owner and user is not None and user.organization and user.organization.has_lab)


def may_edit(user: User | None, declaration: CapabilityDeclaration) -> bool:
    scope = scope_of(user)
    return may_declare(user) and declaration.organization_id == scope.organization_id and declaration.status in EDITABLE


def may_review(user: User | None, declaration: CapabilityDeclaration) -> bool:
    """A regulator whose region holds the declaring owner."""
    scope = scope_of(user)
    return bool(scope.is_regulator and scope.region_ids and declaration.organization.region_id in scope.region_ids)
