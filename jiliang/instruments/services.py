"""Every change to the instrument registry: validated, saved and audited in one transaction."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiliang.catalog.models import CatalogItem, Usage
from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import organizations_visible_to, scope_of
from jiliang.core.states import status_move, status_parse
from jiliang.metrology import due

from . import tally
from .hooks import DeclaredRecord, verification
from .models import Instrument

# What describes one instrument, besides its owner, catalog row, status and dates: the fields a registration, a
# row of an import file and a demo draw all set, in this order.
DESCRIPTION_FIELDS = (
    "usage",
    "name",
    "manufacturer",
    "model",
    "serial_number",
    "asset_number",
    "accuracy_class",
    "measuring_range",
    "location",
)
# Fields an owner or a regulator may set; mandatory and due_on are derived, region follows the owner.
EDITABLE_FIELDS = ("catalog_item", *DESCRIPTION_FIELDS, "registered_on")

_FROM_RECORD: Any = object()


def derive(instrument: Instrument, item: CatalogItem | None, verified_on: date | None = _FROM_RECORD) -> None:
    """Set the derived fields from the catalog row, the usage and the last verification.

    ``verified_on``: the last valid verification's date; by default ``instrument.last_verified_on`` (the
    annotated or related record's date; import rows and demo probes carry it as a plain attribute).
    """
    if verified_on is _FROM_RECORD:
        verified_on = instrument.last_verified_on
    if item is None:
        instrument.mandatory = False
        instrument.due_on = None
        return
    instrument.mandatory = item.active and due.is_mandatory(
        supervision=item.supervision, usages=item.usage_list, mode=item.mode, usage=instrument.usage
    )
    instrument.due_on = due.due_date(verified_on, item.mode, item.interval_months)


def _owner_for(actor: User, owner: Organization | int | None) -> Organization:
    scope = scope_of(actor)
    if scope.is_owner:
        owner_id = owner.pk if isinstance(owner, Organization) else owner
        if owner_id not in (None, scope.organization_id):
            raise NotFoundOrForbidden(_("使用单位不存在"))
        return Organization.objects.get(pk=scope.organization_id)
    if not (scope.is_regulator or scope.is_admin):
        raise DomainError(_("只有使用单位或监管部门可以登记计量器具"))
    if owner is None:
        raise DomainError(_("请选择使用单位"), field="owner")
    owner_id = owner.pk if isinstance(owner, Organization) else owner
    found = organizations_visible_to(actor, kind=Organization.Kind.OWNER).filter(pk=owner_id).first()
    if found is None:
        raise NotFoundOrForbidden(_("使用单位不存在"), field="owner")
    return found


def _check_values(data: dict[str, Any]) -> None:
    if not str(data.get("serial_number") or "").strip():
        raise DomainError(_("出厂编号不能为空"), field="serial_number")
    if not str(data.get("name") or "").strip():
        raise DomainError(_("器具名称不能为空"), field="name")
    if data.get("usage") not in Usage.values:
        raise DomainError(_("用途无效"), field="usage")


def _check_verified_on(verified_on: date | None) -> None:
    if verified_on is not None and verified_on > clock.today():
        raise DomainError(_("最近检定日期不能晚于今天"), field="last_verified_on")


def _check_unique(owner: Organization, item: CatalogItem | None, serial: str, *, exclude_id: int | None) -> None:
    clash = Instrument.objects.filter(owner=owner, catalog_item=item, serial_number=serial)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise DomainError(_("该单位已登记同一目录条目、同一出厂编号的器具"), field="serial_number", code="conflict")


def _snapshot(instrument: Instrument) -> dict[str, Any]:
    values = {f: getattr(instrument, f + "_id" if f == "catalog_item" else f) for f in EDITABLE_FIELDS}
    values.update(status=instrument.status, mandatory=instrument.mandatory, due_on=instrument.due_on)
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def instrument_create(
    *, actor: User, owner: Organization | int | None = None, last_verified_on: date | None = None, **data: Any
) -> Instrument:
    """Register one instrument for ``owner`` (an owner registers for itself).

    ``last_verified_on``: a verification done before the platform, declared at registration (a declared
    record becomes the instrument's last verification). Later ones come from records, never from an edit.
    """
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        owning = _owner_for(actor, owner)
        data.setdefault("registered_on", clock.today())
        data["serial_number"] = str(data.get("serial_number") or "").strip()
        _check_values(data)
        _check_verified_on(last_verified_on)
        item = data.get("catalog_item")
        _check_unique(owning, item, data["serial_number"], exclude_id=None)
        instrument = Instrument(owner=owning, region_id=owning.region_id, created_by=actor, **data)
        derive(instrument, item, last_verified_on)
        try:
            with transaction.atomic():
                instrument.save(force_insert=True)
        except IntegrityError as exc:
            raise DomainError(
                _("该单位已登记同一目录条目、同一出厂编号的器具"), field="serial_number", code="conflict"
            ) from exc
        changes = _snapshot(instrument)
        if last_verified_on is not None:
            # The declared record is part of the registration: one audit event tells both.
            instrument.last_verification = verification().record_declare(
                actor=actor, instrument=instrument, performed_on=last_verified_on
            )
            instrument.save(update_fields=["last_verification"])
            changes["last_verified_on"] = last_verified_on.isoformat()
        tally.change(None, tally.key_of(instrument))
        audit.record(actor=actor, action="instrument.create", obj=instrument, changes=changes)
    return instrument


def _editable(actor: User, instrument_id: int) -> Instrument:
    from .selectors import instruments_visible_to

    scope = scope_of(actor)
    if not (scope.is_owner or scope.is_regulator or scope.is_admin):
        raise NotFoundOrForbidden(_("计量器具不存在"))
    instrument = instruments_visible_to(actor).select_for_update().filter(pk=instrument_id).first()
    if instrument is None:
        raise NotFoundOrForbidden(_("计量器具不存在"))
    return instrument


def instrument_update(*, actor: User, instrument_id: int, **data: Any) -> Instrument:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        instrument = _editable(actor, instrument_id)
        before = _snapshot(instrument)
        before_key = tally.key_of(instrument)
        for name, value in data.items():
            setattr(instrument, name, value.strip() if isinstance(value, str) else value)
        _check_values({f: getattr(instrument, f) for f in EDITABLE_FIELDS})
        _check_unique(instrument.owner, instrument.catalog_item, instrument.serial_number, exclude_id=instrument.pk)
        derive(instrument, instrument.catalog_item)
        instrument.save()
        tally.change(before_key, tally.key_of(instrument))
        changes = audit.diff(before, _snapshot(instrument))
        if changes:
            audit.record(actor=actor, action="instrument.update", obj=instrument, changes=changes)
    return instrument


# Allowed status changes: a scrapped instrument stays scrapped (it is kept on record, never deleted).
STATUS_TRANSITIONS = {
    Instrument.Status.IN_USE: {Instrument.Status.STOPPED, Instrument.Status.SCRAPPED},
    Instrument.Status.STOPPED: {Instrument.Status.IN_USE, Instrument.Status.SCRAPPED},
    Instrument.Status.SCRAPPED: set(),
}


def instrument_set_status(*, actor: User, instrument_id: int, status: str, reason: str = "") -> Instrument:
    """Stop, restart or scrap an instrument by hand (its owner, a regulator). An instrument stopped as failed
    (:func:`instrument_mark_failed`) goes back into use only through a passing verification, never by hand; it may
    be scrapped."""
    target = status_parse(Instrument.Status, status)
    with transaction.atomic():
        instrument = _editable(actor, instrument_id)
        if instrument.stopped_as_failed and target == Instrument.Status.IN_USE:
            raise DomainError(_("该器具检定不合格已停用，须经检定合格后才能恢复在用"), field="status", code="conflict")
        before_key = tally.key_of(instrument)
        # The stop's reason and day describe the current stop only (a scrapped one keeps them in the audit log).
        instrument.stop_reason = ""
        instrument.failure_notice = None
        instrument.stopped_on = clock.today() if target == Instrument.Status.STOPPED else None
        status_move(
            actor,
            instrument,
            STATUS_TRANSITIONS,
            target,
            action="instrument.set_status",
            reason=reason,
            fields=("status", "stop_reason", "stopped_on", "failure_notice", "updated_at"),
        )
        tally.change(before_key, tally.key_of(instrument))
    return instrument


def _stop_snapshot(instrument: Instrument) -> dict[str, Any]:
    return {
        "status": instrument.status,
        "stop_reason": instrument.stop_reason,
        "stopped_on": instrument.stopped_on.isoformat() if instrument.stopped_on else None,
        "failure_notice": instrument.failure_notice_id,
    }


def _stop_save(instrument: Instrument, before: dict[str, Any], before_key: tally.Key | None, **audit_args: Any) -> None:
    instrument.save(update_fields=["status", "stop_reason", "stopped_on", "failure_notice", "updated_at"])
    tally.change(before_key, tally.key_of(instrument))
    audit.record(obj=instrument, changes=audit.diff(before, _stop_snapshot(instrument)), **audit_args)


def instrument_mark_failed(*, instrument_id: int, notice_id: int, failed_on: date, actor: User | None) -> Instrument:
    """Stop the instrument as failed (停用（检定不合格）) since ``failed_on``, by the notice of failed verification
    ``notice_id`` (检定结果通知书): its latest platform verification failed.

    Called by verification, which applied the rule (``verification.services.records._refresh_instrument``) after
    every issue, correction and revocation. An instrument in use or stopped by its owner becomes stopped as failed
    (the failure takes over an owner's stop, so only a pass ends it); one already stopped as failed takes the new
    notice and day (a corrected notice); a scrapped one stays scrapped. Nothing changes when nothing differs.
    """
    with transaction.atomic():
        locked = Instrument.objects.select_for_update(of=("self",)).get(pk=instrument_id)
        if locked.status == Instrument.Status.SCRAPPED:
            return locked
        before = _stop_snapshot(locked)
        before_key = tally.key_of(locked)
        locked.status = Instrument.Status.STOPPED
        locked.stop_reason = Instrument.StopReason.FAILED_VERIFICATION
        locked.stopped_on = failed_on
        locked.failure_notice_id = notice_id
        if _stop_snapshot(locked) != before:
            _stop_save(locked, before, before_key, actor=actor, action="instrument.mark_failed")
    return locked


def instrument_clear_failure(*, instrument_id: int, actor: User | None) -> Instrument:
    """End a stop as failed: the instrument's latest platform verification passed, or the failure notice was
    revoked or superseded by a pass (or by nothing). It goes back into use. An instrument stopped for any other
    reason, in use or scrapped is left as it is."""
    with transaction.atomic():
        locked = Instrument.objects.select_for_update(of=("self",)).get(pk=instrument_id)
        if not locked.stopped_as_failed:
            return locked
        before = _stop_snapshot(locked)
        before_key = tally.key_of(locked)
        locked.status = Instrument.Status.IN_USE
        locked.stop_reason = ""
        locked.stopped_on = None
        locked.failure_notice_id = None
        _stop_save(locked, before, before_key, actor=actor, action="instrument.clear_failure")
    return locked


def instruments_rederive_for_item(*, actor: User, item: CatalogItem) -> int:
    """After a catalog row changes, recompute ``mandatory`` and ``due_on`` of every instrument under it."""
    with transaction.atomic():
        changed = []
        deltas: Counter[tally.Key] = Counter()
        for instrument in (
            Instrument.objects.filter(catalog_item=item)
            .with_last_verified_on()
            .only("id", "region_id", "status", "usage", "last_verification_id", "mandatory", "due_on")
            .iterator(chunk_size=5000)
        ):
            old = (instrument.mandatory, instrument.due_on)
            before_key = tally.key_of(instrument)
            derive(instrument, item)
            if (instrument.mandatory, instrument.due_on) != old:
                changed.append(instrument)
                after_key = tally.key_of(instrument)
                if before_key is not None:
                    deltas[before_key] -= 1
                if after_key is not None:
                    deltas[after_key] += 1
        Instrument.objects.bulk_update(changed, ["mandatory", "due_on"], batch_size=2000)
        tally.apply(deltas)
        audit.record(
            actor=actor,
            action="instrument.rederive",
            obj=item,
            changes={"instruments_changed": len(changed)},
        )
    return len(changed)


def instrument_set_last_verification(
    *, instrument: Instrument, record_id: int | None, performed_on: date | None, actor: User | None
) -> Instrument:
    """Make the record ``record_id`` (of ``performed_on``) the instrument's last valid verification (None: it has
    none) and re-derive ``due_on``.

    Called by verification, which checked the record (``verification.services.declared.record_make_last``): after
    a passing certificate is issued, after a revocation or a supersession with the new latest valid record (or
    None), and after a declaration. The due tally moves in the same transaction.
    """
    with transaction.atomic():
        locked = Instrument.objects.select_for_update(of=("self",)).select_related("catalog_item").get(pk=instrument.pk)
        before_key = tally.key_of(locked)
        before = {
            "last_verification": locked.last_verification_id,
            "due_on": locked.due_on,
            "mandatory": locked.mandatory,
        }
        locked.last_verification_id = record_id
        derive(locked, locked.catalog_item, performed_on if record_id is not None else None)
        locked.save(update_fields=["last_verification", "mandatory", "due_on", "updated_at"])
        tally.change(before_key, tally.key_of(locked))
        after = {
            "last_verification": locked.last_verification_id,
            "due_on": locked.due_on,
            "mandatory": locked.mandatory,
        }
        as_text = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in before.items()}
        changes = audit.diff(as_text, {k: (v.isoformat() if isinstance(v, date) else v) for k, v in after.items()})
        audit.record(actor=actor, action="instrument.set_last_verification", obj=locked, changes=changes)
    instrument.last_verification_id = record_id
    instrument.mandatory, instrument.due_on = locked.mandatory, locked.due_on
    instrument.updated_at = locked.updated_at
    return instrument


def instrument_declare_verification(
    *,
    actor: User,
    instrument_id: int,
    performed_on: date,
    institute_name: str = "",
    certificate_number: str = "",
) -> DeclaredRecord:
    """An owner declares a verification done before the platform (date, institute, old certificate number)."""
    if len(institute_name) > 200:
        raise DomainError(_("检定机构名称过长"), field="institute_name")
    if len(certificate_number) > 64:
        raise DomainError(_("证书编号过长"), field="certificate_number")
    with transaction.atomic():
        instrument = _editable(actor, instrument_id)
        if performed_on is None:
            raise DomainError(_("请填写检定日期"), field="performed_on")
        if performed_on > clock.today():
            raise DomainError(_("检定日期不能晚于今天"), field="performed_on")
        current = instrument.last_verified_on
        if current is not None and performed_on < current:
            raise DomainError(
                _("检定日期早于最近一次有效检定（%(date)s）") % {"date": current.isoformat()},
                field="performed_on",
                code="conflict",
            )
        instrument = Instrument.objects.select_related("catalog_item").get(pk=instrument.pk)
        record = verification().record_declare(
            actor=actor,
            instrument=instrument,
            performed_on=performed_on,
            institute_name=institute_name,
            certificate_number=certificate_number,
        )
        audit.record(
            actor=actor,
            action="instrument.declare_verification",
            obj=instrument,
            changes={
                "record": record.pk,
                "performed_on": performed_on.isoformat(),
                "institute_name": record.institute_name,
                "certificate_number": record.declared_certificate_number,
            },
        )
        # A declared record passed and has no certificate: it counts as a valid verification.
        instrument_set_last_verification(
            instrument=instrument, record_id=record.pk, performed_on=record.performed_on, actor=actor
        )
        instrument.last_verification = record
        return record
