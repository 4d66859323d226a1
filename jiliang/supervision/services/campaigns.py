"""State changes of special campaigns (专项检查): a bureau opens one over its region, with a theme and a period."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.errors import DomainError
from jiliang.core.models import Organization, User
from jiliang.core.selectors import scope_of

from ..models import Campaign, Trade


def campaign_create(
    *, actor: User, name: str, trade: str, starts_on: date, ends_on: date, description: str = ""
) -> Campaign:
    scope = scope_of(actor)
    if not scope.is_regulator or scope.organization_id is None:
        raise DomainError(_("只有市场监管部门可以组织专项检查"), code="forbidden")
    errors: list[tuple[str, str]] = []
    name = name.strip()
    if not name or len(name) > 200:
        errors.append(("name", _("请填写专项名称（最多 200 个字符）")))
    if trade not in Trade.values:
        errors.append(("trade", _("请选择专项类别")))
    if ends_on < starts_on:
        errors.append(("ends_on", _("结束日期不能早于开始日期")))
    if len(description) > 5000:
        errors.append(("description", _("最多 5000 个字符")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    bureau = Organization.objects.get(pk=scope.organization_id)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            bureau=bureau,
            region_id=bureau.region_id,
            name=name,
            trade=trade,
            starts_on=starts_on,
            ends_on=ends_on,
            description=description.strip(),
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="campaign.create",
            obj=campaign,
            changes=audit.values(campaign, "bureau", "name", "trade", "starts_on", "ends_on"),
        )
    return campaign
