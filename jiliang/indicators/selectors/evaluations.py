"""Evaluation reports: who may read which.

Who: the regulator of a city-level bureau for its own city, and the admin for any city. A county bureau reads its
county's dashboard but does not report for the city; institutes, owners and the public never see an unpublished
report (once published it is on the public disclosure pages, :func:`published_evaluations`). Making and publishing
a report are in ``services.evaluations``.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Region, User
from jiliang.core.selectors import Scope, scope_of

from ..models import Evaluation

# What a list shows: the files stay in the database until someone downloads one.
_FILES = ("xlsx", "pdf")

# A view passes request.user (an AnonymousUser when nobody is logged in: it may do nothing); None is the system.
Actor = User | AnonymousUser | None


# ---- who ----------------------------------------------------------------------------------------------------------


def _scope(actor: Actor) -> Scope:
    return scope_of(actor if isinstance(actor, User) else None)


def reporting_city(user: Actor) -> Region | None:
    """The city a user reports for: a city-level regulator's own city; None for anyone else (the admin included:
    the admin chooses a city)."""
    if not _scope(user).is_regulator or not isinstance(user, User) or user.organization is None:
        return None
    region = user.organization.region
    return region if region.level == Region.Level.CITY else None


def may_manage_evaluations(user: Actor) -> bool:
    """Whether ``user`` may list, make, download and publish (unpublished) reports at all."""
    return _scope(user).is_admin or reporting_city(user) is not None


# ---- the reports ------------------------------------------------------------------------------------------------


def evaluations_visible_to(user: Actor) -> QuerySet[Evaluation]:
    """Reports (published or not) the user may list: the admin all, a city-level regulator its city's, anyone
    else none. The files are deferred."""
    qs = Evaluation.objects.select_related("city", "created_by", "published_by").defer(*_FILES)
    if _scope(user).is_admin:
        return qs
    city = reporting_city(user)
    return qs.filter(city=city) if city is not None else qs.none()


def evaluation_get(user: Actor, pk: int) -> Evaluation:
    """One report with its files; missing and not-yours look the same."""
    evaluation = evaluations_visible_to(user).defer(None).filter(pk=pk).first()
    if evaluation is None:
        raise NotFoundOrForbidden(_("评估报告不存在或无权查看"))
    return evaluation


def published_evaluations(city: Region | None = None) -> QuerySet[Evaluation]:
    """Published reports (public), newest first; the files are deferred."""
    qs = Evaluation.objects.filter(published_at__isnull=False).select_related("city").defer(*_FILES)
    if city is not None:
        qs = qs.filter(city=city)
    return qs.order_by("city__code", "-day", "-published_at")


def published_evaluation_get(pk: int, *, files: bool = True) -> Evaluation:
    """One published report (with its files unless ``files`` is false); an unpublished or missing one raises
    NotFoundOrForbidden."""
    qs = published_evaluations()
    evaluation = (qs.defer(None) if files else qs).filter(pk=pk).first()
    if evaluation is None:
        raise NotFoundOrForbidden(_("评估报告不存在或尚未公开"))
    return evaluation
