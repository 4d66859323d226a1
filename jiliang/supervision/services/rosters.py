"""State changes of the rosters: the city's item list (a new version per revision), the inspector pool, declared
conflicts and the strata of organizations. Each in a transaction with its audit event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, Region, User
from jiliang.core.selectors import scope_of

from ..models import CheckItem, Conflict, Inspector, ItemList, Stratum
from ..selectors.rosters import (
    city_of,
    conflict_targets_visible_to,
    inspector_get,
    may_manage_inspector,
    may_revise_items,
)

LABELS = {
    "code": gettext_lazy("事项编号"),
    "name": gettext_lazy("抽查事项"),
    "sub_item": gettext_lazy("检查内容"),
    "legal_basis": gettext_lazy("检查依据"),
    "method": gettext_lazy("检查方式"),
    "frequency": gettext_lazy("抽查频次"),
    "inspector_requirement": gettext_lazy("执法人员要求"),
}
LIMITS = {
    "code": 32,
    "name": 200,
    "sub_item": 300,
    "legal_basis": 2000,
    "method": 16,
    "frequency": 100,
    "inspector_requirement": 200,
}
ITEM_FIELDS = (
    "code",
    "name",
    "sub_item",
    "legal_basis",
    "object_categories",
    "method",
    "frequency",
    "inspector_requirement",
)
MAX_ITEMS = 500


def _clean_item(raw: Mapping[str, Any], line: int) -> dict[str, Any]:
    item = {name: raw.get(name, "") for name in ITEM_FIELDS}
    item["object_categories"] = list(raw.get("object_categories") or [])
    for name in ("code", "name", "legal_basis"):
        item[name] = str(item[name] or "").strip()
        if not item[name]:
            raise DomainError(
                _("第 %(line)s 项：请填写%(field)s") % {"line": line, "field": LABELS[name]},
                field=name,
            )
    unknown = sorted(set(item["object_categories"]) - set(Organization.Category.values))
    if unknown:
        raise DomainError(
            _("第 %(line)s 项：未知的检查对象行业 %(values)s") % {"line": line, "values": "、".join(unknown)}
        )
    if not item["method"]:
        item["method"] = CheckItem.Method.ON_SITE
    if item["method"] not in CheckItem.Method.values:
        raise DomainError(_("第 %(line)s 项：未知的检查方式") % {"line": line}, field="method")
    for name in ITEM_FIELDS:
        if name == "object_categories":
            continue
        limit = LIMITS[name]
        item[name] = str(item[name] or "").strip()
        if limit and len(item[name]) > limit:
            raise DomainError(
                _("第 %(line)s 项：%(field)s最多 %(limit)s 个字符")
                % {"line": line, "field": LABELS[name], "limit": limit},
                field=name,
            )
        if "\x00" in item[name]:
            raise DomainError(_("不能包含空字符"), field=name)
    return item


def item_list_revise(
    *, actor: User | None, region: Region, items: Iterable[Mapping[str, Any]], note: str = ""
) -> ItemList:
    """Adopt a new version of ``region``'s (a city's) item list holding ``items``; the earlier versions stay as they
    were, and tasks keep the items they were planned with. ``actor`` None: the demo or a data load."""
    if actor is not None and not may_revise_items(actor):
        raise DomainError(_("只有市级市场监管部门可以修订抽查事项清单"), code="forbidden")
    if region.level != Region.Level.CITY:
        raise DomainError(_("抽查事项清单按城市制定"))
    if actor is not None and (organization_id := scope_of(actor).organization_id) is not None:
        own = Organization.objects.select_related("region").get(pk=organization_id).region
        if city_of(own).pk != region.pk:
            raise NotFoundOrForbidden(_("城市不存在"))
    cleaned = [_clean_item(raw, line) for line, raw in enumerate(items, start=1)]
    if not cleaned:
        raise DomainError(_("清单至少要有一项抽查事项"))
    if len(cleaned) > MAX_ITEMS:
        raise DomainError(_("清单最多 %(n)s 项") % {"n": MAX_ITEMS})
    codes = [item["code"] for item in cleaned]
    if len(set(codes)) != len(codes):
        raise DomainError(_("事项编号不能重复"), field="code")
    with transaction.atomic():
        last = ItemList.objects.select_for_update().filter(region=region).order_by("-version").first()
        version = (last.version + 1) if last else 1
        item_list = ItemList.objects.create(
            region=region, version=version, adopted_on=clock.today(), note=note.strip()[:500], created_by=actor
        )
        CheckItem.objects.bulk_create(CheckItem(item_list=item_list, **item) for item in cleaned)
        audit.record(
            actor=actor, action="item_list.revise", obj=item_list, changes={"version": version, "items": codes}
        )
    return item_list


def inspector_create(
    *,
    actor: User | None,
    organization: Organization,
    name: str,
    certificate_number: str,
    valid_until: date,
    field: str = "",
    user: User | None = None,
    former_employer: Organization | None = None,
) -> Inspector:
    """Add an officer to the pool. A bureau adds its own officers; ``actor`` None: the demo."""
    if actor is not None:
        scope = scope_of(actor)
        if not may_manage_inspector(actor) or (not scope.is_admin and organization.pk != scope.organization_id):
            raise DomainError(_("只能维护本部门的执法人员"), code="forbidden")
    if organization.kind != Organization.Kind.REGULATOR:
        raise DomainError(_("执法人员应属于市场监管部门"), field="organization")
    number = certificate_number.strip().upper()
    if not number or len(number) > 40 or not number.replace("-", "").isalnum():
        raise DomainError(_("执法证号只能包含字母、数字和连字符，最多 40 位"), field="certificate_number")
    if Inspector.objects.filter(certificate_number=number).exists():
        raise DomainError(_("执法证号已在名录库中"), field="certificate_number", code="conflict")
    name = name.strip()
    if not name or len(name) > 50:
        raise DomainError(_("请填写姓名（最多 50 个字符）"), field="name")
    with transaction.atomic():
        inspector = Inspector.objects.create(
            organization=organization,
            name=name,
            certificate_number=number,
            valid_until=valid_until,
            field=field.strip()[:100],
            user=user,
            former_employer=former_employer,
        )
        audit.record(
            actor=actor,
            action="inspector.create",
            obj=inspector,
            changes=audit.values(inspector, "organization", "name", "certificate_number", "valid_until", "field"),
        )
    return inspector


def inspector_set_active(*, actor: User, inspector_id: int, active: bool) -> Inspector:
    """Take an officer out of the pool (or back in): the draws committed before keep their rosters."""
    with transaction.atomic():
        inspector = inspector_get(actor, inspector_id)
        if not may_manage_inspector(actor, inspector):
            raise NotFoundOrForbidden(_("执法人员不存在"))
        inspector = Inspector.objects.select_for_update().get(pk=inspector.pk)
        inspector.active = active
        inspector.save(update_fields=["active"])
        audit.record(actor=actor, action="inspector.active", obj=inspector, changes={"active": active})
    return inspector


def conflict_declare(
    *, actor: User | None, inspector: Inspector, credit_code: str, kind: str, note: str = ""
) -> Conflict:
    """Record that ``inspector`` must not inspect an organization (recusal). Declared by the officer's bureau."""
    if actor is not None and not may_manage_inspector(actor, inspector):
        raise NotFoundOrForbidden(_("执法人员不存在"))
    if kind not in Conflict.Kind.values:
        raise DomainError(_("请选择回避事由"), field="kind")
    targets = conflict_targets_visible_to(actor) if actor is not None else Organization.objects.all()
    organization = targets.filter(credit_code=credit_code.strip().upper()).first()
    if organization is None:
        raise DomainError(_("单位不存在或不在管辖范围内"), field="credit_code")
    with transaction.atomic():
        conflict, created = Conflict.objects.get_or_create(
            inspector=inspector,
            organization=organization,
            kind=kind,
            defaults={"note": note.strip()[:300], "declared_on": clock.today()},
        )
        if not created:
            raise DomainError(_("该回避关系已登记"), code="conflict")
        audit.record(
            actor=actor,
            action="conflict.declare",
            obj=conflict,
            changes=audit.values(conflict, "inspector", "organization", "kind"),
        )
    return conflict


def stratum_set(*, actor: User | None, organization: Organization, stratum: str, source: str = "") -> Stratum:
    """Put an organization in a stratum (a risk or credit class); draws committed before keep their rosters."""
    stratum = stratum.strip()
    if not stratum or len(stratum) > 16 or not stratum.replace("-", "").replace("_", "").isalnum():
        raise DomainError(_("分类代码只能包含字母、数字、连字符和下划线，最多 16 位"), field="stratum")
    with transaction.atomic():
        row, _created = Stratum.objects.update_or_create(
            organization=organization,
            defaults={"stratum": stratum, "source": source.strip()[:100], "set_on": clock.today()},
        )
        audit.record(
            actor=actor, action="stratum.set", obj=organization, changes={"stratum": stratum, "source": source}
        )
    return row
