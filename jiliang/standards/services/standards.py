"""Every change to standards, their equipment and certificates, and authorizations: validated, saved and audited in
one transaction.

Who may change what: an institute manages its own standards (and their equipment and certificates); the admin any
institute's; regulators grant and revoke authorizations for institutes in their region and below. Everything else
answers as if the record did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core import audit, clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import locked_one, organizations_visible_to, scope_of
from jiliang.core.states import status_move, status_parse

from ..models import Authorization, EquipmentCertificate, ExternalAuthority, Standard, StandardEquipment

STANDARD_FIELDS = (
    "name",
    "code",
    "measurand",
    "measuring_range",
    "uncertainty",
    "is_public",
    "is_highest",
    "level",
    "certificate_number",
    "certificate_issued_on",
    "certificate_valid_until",
    "established_on",
)
REQUIRED_TEXT = ("name", "code", "measurand", "certificate_number")

# A retired standard stays on record and never comes back; a suspended one may resume.
STATUS_TRANSITIONS = {
    Standard.Status.ACTIVE: {Standard.Status.SUSPENDED, Standard.Status.RETIRED},
    Standard.Status.SUSPENDED: {Standard.Status.ACTIVE, Standard.Status.RETIRED},
    Standard.Status.RETIRED: set(),
}


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _snapshot(standard: Standard) -> dict[str, Any]:
    values = {f: _iso(getattr(standard, f)) for f in STANDARD_FIELDS}
    values.update(holder=standard.holder_id, status=standard.status)
    if standard.pk:
        values["catalog_items"] = sorted(standard.catalog_items.values_list("pk", flat=True))
        values["procedures"] = sorted(standard.procedures.values_list("pk", flat=True))
    return values


def _holder_for(actor: User, holder: Organization | int | None) -> Organization:
    scope = scope_of(actor)
    holder_id = holder.pk if isinstance(holder, Organization) else holder
    if scope.is_institute:
        if holder_id not in (None, scope.organization_id):
            raise NotFoundOrForbidden(_("建标单位不存在"), field="holder")
        return Organization.objects.get(pk=scope.organization_id)
    if not scope.is_admin:
        raise DomainError(_("只有计量技术机构可以登记计量标准"))
    if holder_id is None:
        raise DomainError(_("请选择建标单位"), field="holder")
    found = Organization.objects.filter(pk=holder_id, kind=Organization.Kind.INSTITUTE).first()
    if found is None:
        raise NotFoundOrForbidden(_("建标单位不存在"), field="holder")
    return found


def _check_standard(standard: Standard) -> None:
    for name in REQUIRED_TEXT:
        if not str(getattr(standard, name) or "").strip():
            label = Standard._meta.get_field(name).verbose_name
            raise DomainError(_("%(field)s不能为空") % {"field": label}, field=name)
    if standard.level not in Standard.Level.values:
        raise DomainError(_("级别无效"), field="level")
    if standard.certificate_issued_on is None:
        raise DomainError(_("请填写考核证书发证日期"), field="certificate_issued_on")
    if standard.certificate_valid_until is None:
        raise DomainError(_("请填写考核证书有效期"), field="certificate_valid_until")
    if standard.certificate_valid_until < standard.certificate_issued_on:
        raise DomainError(_("考核证书有效期不能早于发证日期"), field="certificate_valid_until")
    clash = Standard.objects.filter(holder_id=standard.holder_id, code=standard.code)
    if standard.pk:
        clash = clash.exclude(pk=standard.pk)
    if clash.exists():
        raise DomainError(_("本单位已有相同标准代码的计量标准"), field="code", code="conflict")


def _save(standard: Standard, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            standard.save(**kwargs)
    except IntegrityError as exc:
        raise DomainError(_("本单位已有相同标准代码的计量标准"), field="code", code="conflict") from exc


def _set_scope(
    standard: Standard, catalog_items: Iterable[CatalogItem | int] | None, procedures: Iterable[Procedure | int] | None
) -> None:
    if catalog_items is not None:
        ids = {i.pk if isinstance(i, CatalogItem) else i for i in catalog_items}
        if CatalogItem.objects.filter(pk__in=ids).count() != len(ids):
            raise DomainError(_("目录条目不存在"), field="catalog_items")
        standard.catalog_items.set(ids)
    if procedures is not None:
        ids = {p.pk if isinstance(p, Procedure) else p for p in procedures}
        if Procedure.objects.filter(pk__in=ids).count() != len(ids):
            raise DomainError(_("规程规范不存在"), field="procedures")
        standard.procedures.set(ids)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(STANDARD_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def standard_create(
    *,
    actor: User,
    holder: Organization | int | None = None,
    catalog_items: Iterable[CatalogItem | int] | None = None,
    procedures: Iterable[Procedure | int] | None = None,
    **data: Any,
) -> Standard:
    """Register a standard held by the actor's institute (the admin names the holder)."""
    data = _clean(data)
    with transaction.atomic():
        standard = Standard(holder=_holder_for(actor, holder), **data)
        _check_standard(standard)
        _save(standard, force_insert=True)
        _set_scope(standard, catalog_items, procedures)
        audit.record(actor=actor, action="standard.create", obj=standard, changes=_snapshot(standard))
    return standard


def _editable_standard(actor: User, standard_id: int) -> Standard:
    from ..selectors.standards import standards_visible_to

    scope = scope_of(actor)
    if not (scope.is_institute or scope.is_admin):
        raise NotFoundOrForbidden(_("计量标准不存在"))
    return locked_one(standards_visible_to(actor), standard_id, _("计量标准不存在"))


def standard_update(
    *,
    actor: User,
    standard_id: int,
    catalog_items: Iterable[CatalogItem | int] | None = None,
    procedures: Iterable[Procedure | int] | None = None,
    **data: Any,
) -> Standard:
    data = _clean(data)
    with transaction.atomic():
        standard = _editable_standard(actor, standard_id)
        before = _snapshot(standard)
        for name, value in data.items():
            setattr(standard, name, value)
        _check_standard(standard)
        _save(standard)
        _set_scope(standard, catalog_items, procedures)
        changes = audit.diff(before, _snapshot(standard))
        if changes:
            audit.record(actor=actor, action="standard.update", obj=standard, changes=changes)
    return standard


def standard_set_status(*, actor: User, standard_id: int, status: str, reason: str = "") -> Standard:
    """Suspend, resume or retire a standard; a retired one stays on record (its certificates still trace to it)."""
    target = status_parse(Standard.Status, status)
    with transaction.atomic():
        standard = _editable_standard(actor, standard_id)
        status_move(actor, standard, STATUS_TRANSITIONS, target, action="standard.set_status", reason=reason)
    return standard


def equipment_add(
    *,
    actor: User,
    standard_id: int,
    name: str,
    serial_number: str,
    model: str = "",
    manufacturer: str = "",
    role: str = StandardEquipment.Role.STANDARD,
) -> StandardEquipment:
    name, serial_number = (name or "").strip(), (serial_number or "").strip()
    if not name:
        raise DomainError(_("设备名称不能为空"), field="name")
    if not serial_number:
        raise DomainError(_("出厂编号不能为空"), field="serial_number")
    if role not in StandardEquipment.Role.values:
        raise DomainError(_("类别无效"), field="role")
    with transaction.atomic():
        standard = _editable_standard(actor, standard_id)
        if standard.status == Standard.Status.RETIRED:
            raise DomainError(_("计量标准已撤销，不能再添加设备"))
        if StandardEquipment.objects.filter(standard=standard, name=name, serial_number=serial_number).exists():
            raise DomainError(_("该计量标准已登记同名、同出厂编号的设备"), field="serial_number", code="conflict")
        equipment = StandardEquipment.objects.create(
            standard=standard,
            role=role,
            name=name,
            model=(model or "").strip(),
            serial_number=serial_number,
            manufacturer=(manufacturer or "").strip(),
        )
        audit.record(
            actor=actor,
            action="standard.equipment_add",
            obj=equipment,
            changes={"standard": standard.pk, "name": name, "serial_number": serial_number, "role": role},
        )
    return equipment


# What each kind of certificate is refused with: no number, a period missing an end, an end before the start.
_CERTIFICATE_REFUSALS = {
    "equipment": (
        gettext_lazy("证书编号不能为空"),
        gettext_lazy("请填写检定/校准日期和有效期"),
        gettext_lazy("有效期不能早于检定/校准日期"),
    ),
    "authorization": (
        gettext_lazy("授权证书编号不能为空"),
        gettext_lazy("请填写有效期"),
        gettext_lazy("有效期至不能早于有效期起"),
    ),
}


def _check_certificate(kind: str, number: str | None, start: date | None, end: date | None) -> str:
    """A certificate's number (stripped) once it has one and a period with both ends, the end not before the start;
    else the refusal of its ``kind`` (``_CERTIFICATE_REFUSALS``)."""
    no_number, no_period, backwards = _CERTIFICATE_REFUSALS[kind]
    number = (number or "").strip()
    if not number:
        raise DomainError(str(no_number), field="number")
    if start is None or end is None:
        raise DomainError(str(no_period), field="valid_until")
    if end < start:
        raise DomainError(str(backwards), field="valid_until")
    return number


def equipment_certificate_add(
    *,
    actor: User,
    equipment_id: int,
    number: str,
    issued_on: date,
    valid_until: date,
    issuer_standard: Standard | int | None = None,
    issuer_authority: ExternalAuthority | int | None = None,
    result: str = "",
    uncertainty: str = "",
) -> EquipmentCertificate:
    """Record a traceability certificate of one piece of equipment. Its issuer is exactly one of a standard in the
    system (any holder's: traceability crosses institutes) or an external authority."""
    if (issuer_standard is None) == (issuer_authority is None):
        raise DomainError(_("出具证书的计量标准和外部机构须填写且只填写一个"), field="issuer_standard")
    number = _check_certificate("equipment", number, issued_on, valid_until)
    if issued_on > clock.today():
        raise DomainError(_("检定/校准日期不能晚于今天"), field="issued_on")
    with transaction.atomic():
        from ..selectors.standards import standards_visible_to

        scope = scope_of(actor)
        equipment = None
        if scope.is_institute or scope.is_admin:
            equipment = (
                StandardEquipment.objects.select_related("standard")
                .filter(pk=equipment_id, standard__in=standards_visible_to(actor))
                .first()
            )
        if equipment is None:
            raise NotFoundOrForbidden(_("标准设备不存在"))
        issuer_std = issuer_auth = None
        if issuer_standard is not None:
            issuer_id = issuer_standard.pk if isinstance(issuer_standard, Standard) else issuer_standard
            issuer_std = Standard.objects.filter(pk=issuer_id).first()
            if issuer_std is None:
                raise DomainError(_("出具证书的计量标准不存在"), field="issuer_standard")
            if issuer_std.pk == equipment.standard_id:
                raise DomainError(_("计量标准不能为自己的设备出具溯源证书"), field="issuer_standard")
            # Only a public standard (社会公用计量标准) serves other organizations; an enterprise's own standard
            # traces only its own equipment.
            if not issuer_std.is_public and issuer_std.holder_id != equipment.standard.holder_id:
                raise DomainError(_("只有社会公用计量标准可以为其他单位出具溯源证书"), field="issuer_standard")
        else:
            authority_id = issuer_authority.pk if isinstance(issuer_authority, ExternalAuthority) else issuer_authority
            issuer_auth = ExternalAuthority.objects.filter(pk=authority_id).first()
            if issuer_auth is None:
                raise DomainError(_("出具证书的外部机构不存在"), field="issuer_authority")
        certificate = EquipmentCertificate.objects.create(
            equipment=equipment,
            issuer_standard=issuer_std,
            issuer_authority=issuer_auth,
            number=number,
            issued_on=issued_on,
            valid_until=valid_until,
            result=(result or "").strip(),
            uncertainty=(uncertainty or "").strip(),
        )
        audit.record(
            actor=actor,
            action="standard.certificate_add",
            obj=certificate,
            changes=audit.values(
                certificate, "equipment", "issuer_standard", "issuer_authority", "number", "issued_on", "valid_until"
            ),
        )
    return certificate


# ---- authorizations --------------------------------------------------------------------------------------------


def _issuer_for(actor: User, institute: Organization) -> Organization:
    scope = scope_of(actor)
    if scope.is_regulator:
        return Organization.objects.get(pk=scope.organization_id)
    # The admin grants on behalf of the regulator nearest the institute: its own region's, else a parent region's.
    region = institute.region
    while region is not None:
        regulator = Organization.objects.filter(kind=Organization.Kind.REGULATOR, region=region).order_by("id").first()
        if regulator is not None:
            return regulator
        region = region.parent
    raise DomainError(_("找不到该机构所在地区的监管部门"), field="institute")


def authorization_grant(
    *,
    actor: User,
    institute: Organization | int,
    number: str,
    catalog_items: Iterable[CatalogItem | int],
    valid_from: date,
    valid_until: date,
) -> Authorization:
    """A regulator authorizes an institute in its region (or below) to verify the given catalog items."""
    scope = scope_of(actor)
    if not (scope.is_regulator or scope.is_admin):
        raise DomainError(_("只有监管部门可以授权"))
    number = _check_certificate("authorization", number, valid_from, valid_until)
    item_ids = {i.pk if isinstance(i, CatalogItem) else i for i in catalog_items}
    if not item_ids:
        raise DomainError(_("请选择授权项目"), field="catalog_items")
    if CatalogItem.objects.filter(pk__in=item_ids).count() != len(item_ids):
        raise DomainError(_("目录条目不存在"), field="catalog_items")
    institute_id = institute.pk if isinstance(institute, Organization) else institute
    with transaction.atomic():
        found = (
            organizations_visible_to(actor, kind=Organization.Kind.INSTITUTE)
            .select_related("region")
            .filter(pk=institute_id)
            .first()
        )
        if found is None:
            raise NotFoundOrForbidden(_("被授权机构不存在"), field="institute")
        authorization = Authorization.objects.create(
            institute=found,
            issued_by=_issuer_for(actor, found),
            number=number,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        authorization.catalog_items.set(item_ids)
        audit.record(
            actor=actor,
            action="authorization.grant",
            obj=authorization,
            changes=audit.values(authorization, "institute", "issued_by", "number", "valid_from", "valid_until")
            | {"catalog_items": sorted(item_ids)},
        )
    return authorization


def authorization_revoke(
    *, actor: User, authorization_id: int, on: date | None = None, reason: str = ""
) -> Authorization:
    """Revoke an authorization from ``on`` (today by default); it stays on record."""
    from ..selectors.standards import authorizations_visible_to

    scope = scope_of(actor)
    on = on or clock.today()
    with transaction.atomic():
        missing = _("计量授权不存在")
        if not (scope.is_regulator or scope.is_admin):
            raise NotFoundOrForbidden(missing)
        authorization = locked_one(authorizations_visible_to(actor), authorization_id, missing)
        if authorization.revoked_on is not None:
            raise DomainError(_("该授权已撤销"), code="conflict")
        authorization.revoked_on = on
        authorization.save(update_fields=["revoked_on"])
        audit.record(
            actor=actor,
            action="authorization.revoke",
            obj=authorization,
            changes={"revoked_on": on.isoformat(), "reason": reason},
        )
    return authorization
