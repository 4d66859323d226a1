"""企业计量技术能力自我声明 (enterprise self-declarations of metrology capability): state changes.

Flow: the owner writes a draft (草稿) and submits it (已提交); the regulator of the owner's region (or a region
above it) returns it with a reason (退回修改: the owner edits and submits again) or accepts it (审核通过), and may
then publish it (已公开). Every change is audited in its own transaction; a change not allowed in the current state
raises a DomainError with a message the user understands.

Who reads which declaration, and who may edit or review one: ``jiliang.standards.selectors.declarations``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of

from ..models import CapabilityDeclaration
from ..selectors.declarations import EDITABLE, Status, may_declare, may_review

TEXT_LIMIT = 10_000
NOTE_LIMIT = CapabilityDeclaration._meta.get_field("review_note").max_length


def _clean_text(value: str, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("请填写检测校准项目"), field=field)
    if len(value) > TEXT_LIMIT:
        raise DomainError(_("最多 %(limit)s 个字符") % {"limit": TEXT_LIMIT}, field=field)
    if "\x00" in value:
        raise DomainError(_("不能包含空字符"), field=field)
    return value


def _own_editable(actor: User, declaration: CapabilityDeclaration) -> CapabilityDeclaration:
    scope = scope_of(actor)
    locked = CapabilityDeclaration.objects.select_for_update().filter(pk=declaration.pk).first()
    if locked is None or not scope.is_owner or locked.organization_id != scope.organization_id:
        raise NotFoundOrForbidden(_("能力声明不存在"))
    if not may_declare(actor):
        raise DomainError(_("只有有实验室（校准能力）的单位可以填写能力声明"), code="forbidden")
    if locked.status not in EDITABLE:
        raise DomainError(
            _("声明处于“%(status)s”状态，不能修改或提交") % {"status": locked.get_status_display()}, code="conflict"
        )
    return locked


def declaration_save_draft(
    *,
    actor: User,
    items: str,
    standards: str = "",
    staff: str = "",
    declaration: CapabilityDeclaration | None = None,
) -> CapabilityDeclaration:
    """Create the owner's draft (``declaration`` None) or change a draft or returned one. Owners only."""
    scope = scope_of(actor)
    if not scope.is_owner or scope.organization_id is None:
        raise DomainError(_("只有使用单位可以填写能力声明"), code="forbidden")
    if declaration is None and not may_declare(actor):
        # A change to an existing one is refused by _own_editable (404 first for another owner's).
        raise DomainError(_("只有有实验室（校准能力）的单位可以填写能力声明"), code="forbidden")
    values = {
        "items": _clean_text(items, "items", required=True),
        "standards": _clean_text(standards, "standards"),
        "staff": _clean_text(staff, "staff"),
    }
    with transaction.atomic():
        if declaration is None:
            obj = CapabilityDeclaration.objects.create(organization_id=scope.organization_id, **values)
            audit.record(actor=actor, action="declaration.create", obj=obj, changes=values)
            return obj
        obj = _own_editable(actor, declaration)
        before = {k: getattr(obj, k) for k in values}
        for key, value in values.items():
            setattr(obj, key, value)
        obj.save(update_fields=list(values))
        audit.record(actor=actor, action="declaration.update", obj=obj, changes=audit.diff(before, values))
        return obj


def declaration_submit(*, actor: User, declaration: CapabilityDeclaration) -> CapabilityDeclaration:
    """The owner hands its draft (or returned) declaration to the regulator."""
    with transaction.atomic():
        obj = _own_editable(actor, declaration)
        if not obj.items.strip():
            raise DomainError(_("请填写检测校准项目"), field="items")
        before = obj.status
        obj.status = Status.SUBMITTED
        obj.submitted_at = clock.now()
        obj.save(update_fields=["status", "submitted_at"])
        audit.record(actor=actor, action="declaration.submit", obj=obj, changes={"status": [before, obj.status]})
        return obj


def _reviewable(actor: User, declaration: CapabilityDeclaration, *, expected: str) -> CapabilityDeclaration:
    locked = (
        CapabilityDeclaration.objects.select_for_update()
        .select_related("organization")
        .filter(pk=declaration.pk)
        .first()
    )
    if locked is None or not may_review(actor, locked):
        raise NotFoundOrForbidden(_("能力声明不存在"))
    if locked.status != expected:
        raise DomainError(
            _("声明处于“%(status)s”状态，不能进行此操作") % {"status": locked.get_status_display()}, code="conflict"
        )
    return locked


def _review(
    actor: User, declaration: CapabilityDeclaration, target: str, action: str, note: str, *, required: bool
) -> CapabilityDeclaration:
    """Return or accept a submitted declaration, with the reviewer's note (``required`` for a return)."""
    note = (note or "").strip()
    if required and not note:
        raise DomainError(_("请填写退回原因"), field="note")
    if len(note) > NOTE_LIMIT:
        raise DomainError(_("最多 %(limit)s 个字符") % {"limit": NOTE_LIMIT}, field="note")
    with transaction.atomic():
        obj = _reviewable(actor, declaration, expected=Status.SUBMITTED)
        obj.status = target
        obj.review_note = note
        obj.reviewed_at = clock.now()
        obj.save(update_fields=["status", "review_note", "reviewed_at"])
        audit.record(
            actor=actor,
            action=action,
            obj=obj,
            changes={"status": [Status.SUBMITTED, obj.status], "review_note": note},
        )
        return obj


def declaration_return(*, actor: User, declaration: CapabilityDeclaration, note: str) -> CapabilityDeclaration:
    """Send a submitted declaration back to the owner, with the reason (required)."""
    return _review(actor, declaration, Status.RETURNED, "declaration.return", note, required=True)


def declaration_accept(*, actor: User, declaration: CapabilityDeclaration, note: str = "") -> CapabilityDeclaration:
    return _review(actor, declaration, Status.ACCEPTED, "declaration.accept", note, required=False)


def declaration_publish(*, actor: User, declaration: CapabilityDeclaration) -> CapabilityDeclaration:
    """Make an accepted declaration readable by every logged-in user."""
    with transaction.atomic():
        obj = _reviewable(actor, declaration, expected=Status.ACCEPTED)
        obj.status = Status.PUBLISHED
        obj.published_at = clock.now()
        obj.save(update_fields=["status", "published_at"])
        audit.record(
            actor=actor, action="declaration.publish", obj=obj, changes={"status": [Status.ACCEPTED, obj.status]}
        )
        return obj
