"""Writes of plan data outside the admin: typing in a figure for an *entered* indicator.

A figure is never edited. A later figure is a new entry; a correction names the entry it corrects and says why.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Region, User
from jiliang.core.selectors import scope_of

from .models import ENTERED_DEFINITIONS, EnteredFigure, Indicator
from .selectors import _city_region_ids, plans_visible_to


def entered_figure_add(
    *,
    actor: User,
    indicator_id: int,
    region_id: int,
    value: Decimal,
    as_of: date,
    source_title: str,
    source_date: date,
    note: str = "",
    corrects_id: int | None = None,
) -> EnteredFigure:
    """Record a typed-in figure. Only the admin and regulators may enter figures, for regions of their own scope,
    and only for indicators whose definition is an *entered* one."""
    scope = scope_of(actor)
    if not (scope.is_admin or scope.is_regulator):
        raise NotFoundOrForbidden(_("指标不存在或无权录入"))
    try:
        indicator = Indicator.objects.select_related("plan").get(pk=indicator_id, plan__in=plans_visible_to(actor))
    except Indicator.DoesNotExist as exc:
        raise NotFoundOrForbidden(_("指标不存在或无权录入")) from exc
    if indicator.definition not in ENTERED_DEFINITIONS:
        raise DomainError(
            _("该指标按口径“%(definition)s”由系统计算，不能人工录入")
            % {"definition": indicator.get_definition_display()},
            field="indicator",
        )
    allowed = scope.region_ids if scope.region_ids is not None else _city_region_ids(actor)
    if allowed is not None and region_id not in allowed:
        raise NotFoundOrForbidden(_("区域不存在或无权录入"))
    try:
        region = Region.objects.get(pk=region_id)
    except Region.DoesNotExist as exc:
        raise NotFoundOrForbidden(_("区域不存在或无权录入")) from exc
    figure = EnteredFigure(
        indicator=indicator,
        region=region,
        value=value,
        as_of=as_of,
        source_title=(source_title or "").strip(),
        source_date=source_date,
        note=(note or "").strip(),
        corrects_id=corrects_id,
        entered_by=actor,
    )
    try:
        figure.full_clean()
    except ValidationError as exc:
        errors = [(field, str(message)) for field, messages in exc.message_dict.items() for message in messages]
        raise DomainError(errors[0][1], errors=errors) from exc
    with transaction.atomic():
        figure.save()
        audit.record(
            actor=actor,
            action="indicators.enteredfigure.create",
            obj=figure,
            changes={
                "indicator": f"{indicator.plan.code}/{indicator.code}",
                "region": region.code,
                "value": str(figure.value),
                "as_of": figure.as_of.isoformat(),
                "source_title": figure.source_title,
                "source_date": figure.source_date.isoformat(),
                "note": figure.note,
                "corrects": corrects_id,
            },
        )
    return figure
