"""Verification records: the rules a record must meet, its verdict, and its issue with the certificate. Nothing is
edited; a correction is a new record (``jiliang.verification.services.certificates``). A record is made through
three acts by three people (``jiliang.verification.services.drafts``), which call the rules below when the verifier
submits and again when the approver approves; only the approval issues.

A record is made by the institute a request was routed to, for an instrument of that request. It is refused,
with a reason the user understands, when:

- the three signatories are not three different people on the institute's staff that day;
- the verifier holds no verifier qualification for the instrument's catalog item valid that day
  (``jiliang.people.selectors.verifier_qualified``);
- a standard used is not the institute's, does not cover the item, or is not valid that day
  (``jiliang.standards.selectors.standards.standard_validity``: assessment certificate and every equipment certificate);
- for a verification: the institute holds no authorization in force for the item that day, a point has no MPE;
- for a calibration: no expanded uncertainty or coverage factor k;
- the date lies in the future, or the request is not accepted yet, or is closed.

The verdict of a verification is computed from its points by ``jiliang.metrology.verification.judge`` (never typed);
a pass issues a verification certificate (检定证书) and moves the instrument's due date; a fail issues a notice of
failed verification (检定结果通知书); a calibration issues a calibration certificate (校准证书) with U and k.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, Value, When
from django.utils.translation import gettext as _

from jiliang.catalog.models import Procedure
from jiliang.core import audit, clock
from jiliang.core.errors import DomainError
from jiliang.core.models import Organization, User
from jiliang.instruments.models import Instrument
from jiliang.instruments.services import instrument_clear_failure, instrument_mark_failed
from jiliang.metrology import due, signing
from jiliang.metrology.verification import Mpe, Point, judge, rule_mpe, rule_normalized
from jiliang.people.models import Person
from jiliang.people.selectors import verifier_qualified
from jiliang.standards.models import Authorization, Standard
from jiliang.standards.selectors.standards import (
    authorization_in_force_q,
    explain,
    standard_validity,
    with_validity_data,
)

from .. import keys, signals
from ..formats import documents
from ..models import (
    Certificate,
    ReadingPoint,
    RecordDraft,
    RequestItem,
    Service,
    ServiceRequest,
    StandardUse,
    VerificationRecord,
)
from ..selectors.records import latest_standing_verification, latest_valid_verification
from .declared import record_make_last

# The number's kind part: 检定 (JD), 通知 (TZ), 校准 (JZ).
KIND_CODES = {
    Certificate.Kind.VERIFICATION: "JD",
    Certificate.Kind.FAILURE_NOTICE: "TZ",
    Certificate.Kind.CALIBRATION: "JZ",
}

# A record may be made while its request is in one of these states.
OPEN_FOR_RECORDS = {ServiceRequest.Status.ACCEPTED, ServiceRequest.Status.SCHEDULED, ServiceRequest.Status.IN_WORK}


def request_items_sync_awaiting(item_ids: Iterable[int | None]) -> None:
    """Set ``RequestItem.awaiting_record`` of these items from what they have: true while an item has neither a
    record nor an open draft (``RecordDraft.OPEN_STATUSES``). Every service that makes a record or moves a draft
    calls it in its own transaction, after the change."""
    ids = [i for i in item_ids if i is not None]
    if not ids:
        return
    recorded = VerificationRecord.objects.filter(request_item=OuterRef("pk"))
    drafted = RecordDraft.objects.filter(request_item=OuterRef("pk"), status__in=RecordDraft.OPEN_STATUSES)
    RequestItem.objects.filter(pk__in=ids).update(
        awaiting_record=Case(When(Q(Exists(recorded)) | Q(Exists(drafted)), then=Value(False)), default=Value(True))
    )


def institute_code(institute: Organization) -> str:
    """The institute part of a certificate number: its short code, else ``I<id>``."""
    return (institute.short_code or f"I{institute.pk}").upper()


def certificate_number(institute: Organization, year: int, kind: str, sequence: int) -> str:
    """``<institute code>-<year>-<kind>-<sequence>``, e.g. ``YCJL-2026-JD-000123``."""
    return f"{institute_code(institute)}-{year}-{KIND_CODES[kind]}-{sequence:06d}"


@dataclass
class _Input:
    kind: str
    performed_on: date
    procedure: Procedure | None
    standards: list[Standard]
    verifier: Person
    checker: Person
    approver: Person
    points: list[dict[str, Any]]
    unit: str
    resolution: str
    expanded_uncertainty: str
    coverage_factor: Decimal | None
    place: str
    temperature: str
    humidity: str
    conditions: str
    # The record's MPE rule (``metrology.verification.rule_normalized``), or None when each point states its own.
    mpe_rule: dict[str, str] | None = None

    def record_values(self) -> dict[str, Any]:
        """The values that are the record's own fields, each under its name (the standards and the points go to
        tables of their own)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in {"standards", "points"}}


def _decimal(value: Any, field: str, index: int) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("第 %(n)d 个检定点的“%(field)s”不是数字：%(value)s") % {"n": index + 1, "field": field, "value": value},
            field="points",
        ) from None
    if not number.is_finite():
        raise DomainError(_("第 %(n)d 个检定点的数值无效") % {"n": index + 1}, field="points")
    return number


def _person(institute: Organization, person_id: Any, field: str, label: str) -> Person:
    person = Person.objects.filter(pk=person_id, organization=institute).first() if person_id else None
    if person is None:
        raise DomainError(_("请选择本机构的%(role)s") % {"role": label}, field=field)
    return person


def _check(institute: Organization, instrument: Instrument, data: _Input) -> None:
    """Every rule of the module docstring; raises DomainError with all reasons found."""
    errors: list[tuple[str, str]] = []
    day = data.performed_on
    if day > clock.today():
        errors.append(("performed_on", _("检定日期不能晚于今天")))
    people = {"verifier_id": data.verifier, "checker_id": data.checker, "approver_id": data.approver}
    if data.verifier.pk == data.checker.pk:
        errors.append(("checker_id", _("检定员和核验员不能是同一人")))
    if data.approver.pk in {data.verifier.pk, data.checker.pk}:
        errors.append(("approver_id", _("批准人不能同时是检定员或核验员")))
    for field, person in people.items():
        if person.left_on is not None and day > person.left_on:
            errors.append((field, _("%(name)s 在检定日期已离职") % {"name": person.name}))
    item = instrument.catalog_item
    if data.kind == Service.VERIFICATION:
        if item is None:
            errors.append(("", _("该器具不在强制检定目录内，只能校准")))
        else:
            if not verifier_qualified(data.verifier, item, day):
                errors.append(
                    (
                        "verifier_id",
                        _("检定员 %(name)s 在 %(day)s 没有“%(item)s”项目有效的检定员资格")
                        % {"name": data.verifier.name, "day": day.isoformat(), "item": item.kind},
                    )
                )
            authorized = Authorization.objects.filter(
                authorization_in_force_q(day), institute=institute, catalog_items=item
            ).exists()
            if not authorized:
                errors.append(
                    ("", _("本机构在 %(day)s 没有“%(item)s”的有效授权") % {"day": day.isoformat(), "item": item.kind})
                )
    if not data.standards:
        errors.append(("standard_ids", _("请选择使用的计量标准")))
    for standard in data.standards:
        if standard.holder_id != institute.pk:
            errors.append(("standard_ids", _("计量标准“%(name)s”不属于本机构") % {"name": standard.name}))
            continue
        if item is not None and data.kind == Service.VERIFICATION:
            if not any(i.pk == item.pk for i in standard.catalog_items.all()):
                errors.append(
                    (
                        "standard_ids",
                        _("计量标准“%(name)s”的开展项目不包括“%(item)s”") % {"name": standard.name, "item": item.kind},
                    )
                )
        validity = standard_validity(standard, day)
        if not validity.valid:
            errors.append(
                (
                    "standard_ids",
                    _("计量标准“%(name)s”在 %(day)s 无效：%(reasons)s")
                    % {"name": standard.name, "day": day.isoformat(), "reasons": "；".join(explain(validity))},
                )
            )
    if not data.points:
        errors.append(("points", _("请至少录入一个检定点")))
    if data.kind == Service.VERIFICATION:
        for i, point in enumerate(data.points):
            if point.get("mpe") in (None, "") and data.mpe_rule is None:
                errors.append(("points", _("第 %(n)d 个检定点没有最大允许误差") % {"n": i + 1}))
    else:
        if not data.expanded_uncertainty.strip():
            errors.append(("expanded_uncertainty", _("校准须给出扩展不确定度")))
        if data.coverage_factor is None or data.coverage_factor <= 0:
            errors.append(("coverage_factor", _("校准须给出包含因子 k")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)


def mpe_rule_clean(rule: dict[str, Any] | None) -> dict[str, str] | None:
    """The rule in its stored shape (``metrology.verification.rule_normalized``); None for none. A rule
    ``Mpe`` refuses is a DomainError on the field ``mpe_rule``."""
    if not rule:
        return None
    try:
        return rule_normalized(rule)
    except ValueError as exc:
        raise DomainError(_("最大允许误差无效：%(reason)s") % {"reason": exc}, field="mpe_rule") from None


def verdict_points(
    *, kind: str, points: list[dict[str, Any]], resolution: str, mpe_rule: dict[str, Any] | None = None
) -> tuple[list[ReadingPoint], str]:
    """The points to save (unsaved) and the conclusion, computed by ``metrology.verification.judge``, never typed.
    The record form's preview calls it too, so what it shows is what the record will say.

    A verification's MPE is the record's ``mpe_rule`` (``{"kind": "percent", "a": "2", "basis": "reference"}``,
    see :func:`mpe_rule_clean`) at each point; a point's own typed ``mpe`` (absolute, ±) overrides it, and
    without a rule every point needs one. ``ReadingPoint.mpe`` is the absolute MPE at the point either way."""
    cleaned = mpe_rule_clean(mpe_rule) if kind == Service.VERIFICATION else None
    rule = rule_mpe(cleaned) if cleaned else None
    rows = []
    parsed = []
    for i, p in enumerate(points):
        reference = _decimal(p.get("reference"), _("标准值"), i)
        indicated = _decimal(p.get("indicated"), _("示值"), i)
        typed = p.get("mpe") not in (None, "") or rule is None
        mpe = _decimal(p.get("mpe"), _("最大允许误差"), i) if kind == Service.VERIFICATION and typed else None
        if mpe is not None and mpe <= 0:
            raise DomainError(_("第 %(n)d 个检定点的最大允许误差必须大于零") % {"n": i + 1}, field="points")
        parsed.append((str(p.get("label", ""))[:100], reference, indicated, mpe))
    if kind == Service.VERIFICATION:
        try:
            verdict = judge(
                [
                    Point(indicated=ind, reference=ref, mpe=Mpe.absolute(m) if m is not None else None, label=lab)
                    for lab, ref, ind, m in parsed
                ],
                mpe=rule,
                resolution=resolution or None,
            )
        except ValueError as exc:
            raise DomainError(_("检定数据无法判定：%(reason)s") % {"reason": exc}, field="points") from None
        for (label, _ref, _ind, _m), result in zip(parsed, verdict.points, strict=True):
            rows.append(
                ReadingPoint(
                    index=result.index,
                    label=label,
                    reference=result.reference,
                    indicated=result.indicated,
                    error=result.rounded_error,
                    mpe=result.mpe,
                    passed=result.passed,
                )
            )
        return rows, VerificationRecord.Conclusion.PASS if verdict.passed else VerificationRecord.Conclusion.FAIL
    for i, (label, ref, ind, _m) in enumerate(parsed):
        rows.append(ReadingPoint(index=i, label=label, reference=ref, indicated=ind, error=ind - ref))
    return rows, VerificationRecord.Conclusion.CALIBRATED


def _certificate_numbers(standard: Standard, day: date) -> str:
    """The standard's assessment certificate and the equipment certificates in force that day, as numbers."""
    numbers = [standard.certificate_number]
    for equipment in standard.equipment.all():
        for cert in equipment.certificates.all():
            if cert.issued_on <= day <= cert.valid_until:
                numbers.append(cert.number)
                break
    return "；".join(numbers)[:500]


def _next_sequence(institute: Organization, year: int, kind: str) -> int:
    last = Certificate.objects.filter(institute=institute, year=year, kind=kind).aggregate(m=Max("sequence"))["m"]
    return (last or 0) + 1


def _load_input(institute: Organization, values: dict[str, Any]) -> _Input:
    standard_ids = [int(s) for s in values.get("standard_ids") or []]
    standards = list(with_validity_data(Standard.objects.filter(pk__in=standard_ids)).prefetch_related("catalog_items"))
    if len(standards) != len(set(standard_ids)):
        raise DomainError(_("所选计量标准不存在"), field="standard_ids")
    procedure = None
    if values.get("procedure_id"):
        procedure = Procedure.objects.filter(pk=values["procedure_id"]).first()
        if procedure is None:
            raise DomainError(_("所选规程不存在"), field="procedure_id")
    coverage_factor = values.get("coverage_factor")
    if coverage_factor not in (None, ""):
        try:
            coverage_factor = Decimal(str(coverage_factor))
        except InvalidOperation:
            raise DomainError(_("包含因子 k 必须是数字"), field="coverage_factor") from None
    else:
        coverage_factor = None
    kind = values.get("kind") or Service.VERIFICATION
    if kind not in Service.values:
        raise DomainError(_("服务类别无效"), field="kind")
    performed_on = values.get("performed_on")
    if not isinstance(performed_on, date):
        raise DomainError(_("请填写检定日期"), field="performed_on")
    return _Input(
        kind=kind,
        performed_on=performed_on,
        procedure=procedure,
        standards=standards,
        verifier=_person(institute, values.get("verifier_id"), "verifier_id", _("检定员")),
        checker=_person(institute, values.get("checker_id"), "checker_id", _("核验员")),
        approver=_person(institute, values.get("approver_id"), "approver_id", _("批准人")),
        points=list(values.get("points") or []),
        unit=str(values.get("unit") or "")[:32],
        resolution=str(values.get("resolution") or "").strip()[:32],
        expanded_uncertainty=str(values.get("expanded_uncertainty") or "").strip()[:100],
        coverage_factor=coverage_factor,
        place=str(values.get("place") or "")[:200],
        temperature=str(values.get("temperature") or "")[:32],
        humidity=str(values.get("humidity") or "")[:32],
        conditions=str(values.get("conditions") or "")[:300],
        # A calibration states no MPE: a rule sent with one is not its to keep.
        mpe_rule=mpe_rule_clean(values.get("mpe_rule")) if kind == Service.VERIFICATION else None,
    )


def _issue(
    *,
    actor: User,
    institute: Organization,
    instrument: Instrument,
    request_item: RequestItem | None,
    data: _Input,
    corrects: VerificationRecord | None = None,
    supersedes: Certificate | None = None,
    signed_at: dict[str, Any] | None = None,
) -> Certificate:
    """Write the record and issue its certificate: called by ``services.drafts.draft_approve`` only, once the three
    people have each signed by their own act (``signed_at``: their times)."""
    _check(institute, instrument, data)
    points, conclusion = verdict_points(
        kind=data.kind, points=data.points, resolution=data.resolution, mpe_rule=data.mpe_rule
    )
    item = instrument.catalog_item
    next_due = None
    if conclusion == VerificationRecord.Conclusion.PASS and item is not None:
        next_due = due.due_date(data.performed_on, item.mode, item.interval_months)
    record = VerificationRecord.objects.create(
        **data.record_values(),
        instrument=instrument,
        source=VerificationRecord.Source.PLATFORM,
        institute=institute,
        request_item=request_item,
        conclusion=conclusion,
        next_due_on=next_due,
        corrects=corrects,
        created_by=actor,
        **(signed_at or {}),
    )
    request_items_sync_awaiting([record.request_item_id])
    for p in points:
        p.record = record
    ReadingPoint.objects.bulk_create(points)
    uses = [
        StandardUse(
            record=record,
            standard=s,
            performed_on=data.performed_on,
            certificate_numbers=_certificate_numbers(s, data.performed_on),
        )
        for s in data.standards
    ]
    StandardUse.objects.bulk_create(uses)
    kind = {
        VerificationRecord.Conclusion.PASS: Certificate.Kind.VERIFICATION,
        VerificationRecord.Conclusion.FAIL: Certificate.Kind.FAILURE_NOTICE,
        VerificationRecord.Conclusion.CALIBRATED: Certificate.Kind.CALIBRATION,
    }[conclusion]
    # One issuer at a time per institute, so sequences have no gaps or clashes (SQLite: IMMEDIATE transactions).
    Organization.objects.select_for_update().filter(pk=institute.pk).first()
    issued_on = clock.today()
    year = issued_on.year
    sequence = _next_sequence(institute, year, kind)
    number = certificate_number(institute, year, kind, sequence)
    token = secrets.token_urlsafe(24)
    document = documents.certificate_document(
        number=number,
        kind=kind,
        issued_on=issued_on,
        valid_until=next_due,
        token=token,
        record=record,
        points=points,
        uses=uses,
        supersedes=supersedes,
    )
    key = keys.signing_key()
    signed = signing.sign_document(document, key)
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                number=number,
                kind=kind,
                record=record,
                institute=institute,
                owner=instrument.owner,
                region=instrument.region,
                instrument=instrument,
                year=year,
                sequence=sequence,
                issued_on=issued_on,
                valid_until=next_due,
                token=token,
                supersedes=supersedes,
                document=document,
                signature=signed["signature"]["value"],
                key_id=signed["signature"]["key_id"],
                issued_at=clock.now(),
                issued_by=actor,
            )
    except IntegrityError:
        raise DomainError(_("证书编号冲突，请重试"), code="conflict") from None
    audit.record(
        actor=actor,
        action="certificate.issue",
        obj=certificate,
        changes=audit.values(certificate, "record", "instrument")
        | {"conclusion": conclusion, "supersedes": supersedes.number if supersedes else None},
    )
    signals.certificate_issued.send(Certificate, certificate=certificate, actor=actor)
    return certificate


def _refresh_instrument(instrument: Instrument, actor: User) -> None:
    """Re-derive what the registry keeps from the instrument's records, after every issue, correction and
    revocation: its last valid verification (and due date), and whether it is stopped as failed.

    The rule (issue 13): the instrument is stopped as failed (停用（检定不合格）) while its latest platform
    verification whose certificate stands (``latest_standing_verification``) failed, since that verification's
    date and by its notice of failed verification; otherwise a stop as failed ends (a pass, or the notice revoked
    or superseded) and the instrument is back in use. An owner's own stop and scrapping are left alone by the
    instruments' services."""
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    record = latest_valid_verification(instrument.pk)
    if instrument.last_verification_id != (record.pk if record else None):
        record_make_last(instrument=instrument, record=record, actor=actor)
    latest = latest_standing_verification(instrument.pk)
    if latest is not None and latest.record.conclusion == VerificationRecord.Conclusion.FAIL:
        instrument_mark_failed(
            instrument_id=instrument.pk, notice_id=latest.pk, failed_on=latest.record.performed_on, actor=actor
        )
    else:
        instrument_clear_failure(instrument_id=instrument.pk, actor=actor)
