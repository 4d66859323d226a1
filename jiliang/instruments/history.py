"""An instrument's audit events, for its detail page.

Scoping: the caller passes an :class:`Instrument` it fetched through ``selectors.instrument_get`` (which already
checked the actor's scope), so reading that one instrument's events needs no further check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.core.models import AuditEvent
from jiliang.core.names import display_name

from .hooks import verification
from .models import Instrument

OBJECT_TYPE = "instruments.instrument"

ACTIONS = {
    "instrument.create": gettext_lazy("登记"),
    "instrument.update": gettext_lazy("修改"),
    "instrument.set_status": gettext_lazy("变更状态"),
    "instrument.import": gettext_lazy("批量导入"),
    "instrument.rederive": gettext_lazy("按目录重新计算"),
    "instrument.declare_verification": gettext_lazy("登记既往检定"),
    "instrument.set_last_verification": gettext_lazy("更新最近有效检定"),
    "instrument.mark_failed": gettext_lazy("检定不合格，停用"),
    "instrument.clear_failure": gettext_lazy("检定不合格停用解除"),
}

# Labels of the keys the services write into ``changes`` that are not model fields.
EXTRA_LABELS = {
    "reason": gettext_lazy("原因"),
    # Events written before migration 0005, when the date was a field of its own.
    "last_verified_on": gettext_lazy("最近检定日期"),
    "record": gettext_lazy("检定记录"),
    "performed_on": gettext_lazy("检定日期"),
    "institute_name": gettext_lazy("检定机构名称"),
    "certificate_number": gettext_lazy("原证书编号"),
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Event:
    at: Any
    actor: str
    action: str
    changes: list[Change]


def _label(key: str) -> str:
    if key in EXTRA_LABELS:
        return str(EXTRA_LABELS[key])
    try:
        return str(Instrument._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def _display(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if key == "status" and value in Instrument.Status.values:
        return str(Instrument.Status(value).label)
    if key == "stop_reason" and value in Instrument.StopReason.values:
        return str(Instrument.StopReason(value).label)
    if key == "failure_notice":
        # The notice's number, read through the foreign key's model (instruments imports nothing of verification).
        notices = Instrument._meta.get_field("failure_notice").related_model._default_manager
        number = notices.filter(pk=value).values_list("number", flat=True).first()
        return str(number or value)
    if key == "mandatory" and isinstance(value, bool):
        return _("是") if value else _("否")
    if key == "catalog_item":
        item = CatalogItem.objects.filter(pk=value).only("code", "kind").first()
        return str(item) if item else str(value)
    if key in ("last_verification", "record"):
        performed_on = verification().record_dates([value]).get(value)
        return performed_on.isoformat() if performed_on else str(value)
    if key == "usage":
        return str(Usage(value).label) if value in Usage.values else str(value)
    return str(value)


def _changes(action: str, raw: dict[str, Any]) -> list[Change]:
    out = []
    for key, value in raw.items():
        # Updates store [old, new]; a creation stores the new value alone.
        old, new = value if isinstance(value, list) and len(value) == 2 else (None, value)
        if action == "instrument.create" and new in (None, ""):
            continue  # a creation lists every field; the empty ones say nothing
        out.append(Change(label=_label(key), old=_display(key, old) if old is not None else "", new=_display(key, new)))
    return out


def instrument_events(instrument: Instrument, *, limit: int = 200) -> list[Event]:
    """The newest ``limit`` events of one instrument (already scoped: see the module docstring)."""
    rows = (
        AuditEvent.objects.filter(object_type=OBJECT_TYPE, object_id=str(instrument.pk))
        .select_related("actor")
        .order_by("-id")[:limit]
    )
    return [
        Event(
            at=row.at,
            actor=display_name(row.actor) or row.actor_repr,
            action=str(ACTIONS.get(row.action, row.action)),
            changes=_changes(row.action, row.changes or {}),
        )
        for row in rows
    ]
