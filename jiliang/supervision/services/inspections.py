"""State changes of inspections on the spot and of the rectification they order (issue 15, Build 3 and 4).

An inspection is started by a bureau for a drawn target of one of its tasks (organization, task, campaign and team
from the draw) or outside a draw (an owner of its region, in a campaign or not), by at least two officers of its
pool free of declared conflicts with the organization. It is recorded while a draft — the checklist's findings, the
instruments the registry held (snapshotted at the start with their verification status), test draws judged by
``jiliang.metrology.inspection``, photos and scans — and then submitted with a result in the national categories;
from then on nothing of it changes, and its result is due for publication within the set working days.

A submitted inspection with a problem may order rectification (责令改正通知书, a PDF citing the legal bases); the
ordered organization replies with evidence; the bureau re-checks: passed closes the order, not passed leaves it open
for escalation to a case (the cases area's service).

Uploads are hostile: the size is checked before a byte is read (``SUPERVISION_ATTACHMENT_MAX_BYTES``), the type is
decided by the file's first bytes alone (JPEG, PNG or PDF; anything else is refused whatever its name or declared
type says), and a refused file leaves neither a row nor a file. Files are stored under MEDIA_ROOT/supervision/,
which no web server serves: they reach users only through a view that checks scope.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.calendar import work_calendar
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import locked_one, scope_of
from jiliang.instruments.models import Instrument
from jiliang.metrology.cases import spot_check_publication_deadline
from jiliang.metrology.inspection import TestDrawError, judge_test_draw

from ..formats.documents import Citation, Document, render
from ..models import (
    Attachment,
    Campaign,
    Conflict,
    Finding,
    Inspection,
    InstrumentCheck,
    LegalBasis,
    Rectification,
    ResultCategory,
    TestDraw,
)
from ..selectors import inspections as selectors
from ..selectors.rosters import inspectors_visible_to

NO_PROBLEM = "no_problem"
MIN_INSPECTORS = 2
MAX_REPLY_FILES = 10

# The types an attachment may be, by their first bytes (the name and the declared type are never believed).
MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


# ---- helpers -----------------------------------------------------------------------------------------------------


def _bureau(actor: User) -> Organization:
    scope = scope_of(actor)
    if not scope.is_regulator or scope.organization_id is None:
        raise DomainError(_("只有市场监管部门可以开展现场检查"), code="forbidden")
    return Organization.objects.select_related("region").get(pk=scope.organization_id)


def _managed_inspection(actor: User, inspection_id: int, *, draft: bool = True) -> Inspection:
    inspection = locked_one(selectors.inspections_visible_to(actor), inspection_id, _("检查记录不存在"))
    if not selectors.may_manage_inspection(actor, inspection):
        raise NotFoundOrForbidden(_("检查记录不存在"))
    if draft and inspection.status != Inspection.Status.DRAFT:
        raise DomainError(_("检查结果已录入，不能再修改"), code="conflict")
    return inspection


def _next_number(model: type[Inspection] | type[Rectification], prefix: str) -> str:
    """``prefix`` and the next sequence of the numbers starting with it (the caller holds a transaction)."""
    sequence = model.objects.filter(number__startswith=prefix).count() + 1
    while model.objects.filter(number=f"{prefix}{sequence:04d}").exists():
        sequence += 1
    return f"{prefix}{sequence:04d}"


def _text(value: str, limit: int, field: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise DomainError(_("不能包含空字符"), field=field)
    if required and not value:
        raise DomainError(_("请填写此项"), field=field)
    if len(value) > limit:
        raise DomainError(_("最多 %(limit)s 个字符") % {"limit": limit}, field=field)
    return value


def _basis(code: str | None, field: str = "basis") -> LegalBasis | None:
    if not code:
        return None
    found = LegalBasis.objects.filter(code=code).first()
    if found is None:
        raise DomainError(_("法律依据不存在：%(code)s") % {"code": code[:32]}, field=field)
    return found


# ---- uploads -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks: its name for display, its type by its first bytes, its size and digest."""

    upload: File[Any]
    name: str
    content_type: str
    size: int
    sha256: str


def _display_name(raw: str, extension: str) -> str:
    """The upload's own name without any path, control characters or more than 200 characters; shown, never used
    to store the file (stored under its digest)."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if not name:
        name = _("附件") + extension
    return name[-200:]


def upload_check(upload: Any, *, field: str = "file") -> CheckedUpload:
    """Refuse a file over the size limit (before reading it), an empty one, or one whose first bytes are not a
    JPEG, a PNG or a PDF; return it with its type and SHA-256 otherwise."""
    limit = settings.SUPERVISION_ATTACHMENT_MAX_BYTES
    size = getattr(upload, "size", None)
    if upload is None or size is None:
        raise DomainError(_("请选择文件"), field=field)
    if size > limit:
        raise DomainError(_("文件过大：最大 %(mb)s MB") % {"mb": round(limit / 1024 / 1024, 1)}, field=field)
    if size == 0:
        raise DomainError(_("文件为空"), field=field)
    upload.seek(0)
    head = upload.read(8)
    found = next(((kind, ext) for magic, kind, ext in MAGIC if head.startswith(magic)), None)
    if found is None:
        raise DomainError(_("只接受 JPEG、PNG 图片或 PDF 文件（按文件内容判断，与文件名无关）"), field=field)
    upload.seek(0)
    digest = hashlib.sha256()
    read = 0
    for chunk in upload.chunks():
        read += len(chunk)
        if read > limit:
            raise DomainError(_("文件过大：最大 %(mb)s MB") % {"mb": round(limit / 1024 / 1024, 1)}, field=field)
        digest.update(chunk)
    upload.seek(0)
    kind, extension = found
    return CheckedUpload(
        upload=upload,
        name=_display_name(str(getattr(upload, "name", "") or ""), extension),
        content_type=kind,
        size=read,
        sha256=digest.hexdigest(),
    )


def _store(checked: CheckedUpload, *, actor: User, stored: list[str], **owner: Any) -> Attachment:
    """Write the file and its row; the written file's name goes to ``stored`` so the caller can remove it if its
    transaction fails."""
    row = Attachment(
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
        **owner,
    )
    row.file.save(checked.sha256, checked.upload, save=False)
    stored.append(str(row.file.name))
    row.save()
    return row


def _remove(stored: Iterable[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in stored:
        storage.delete(name)


# ---- inspections -------------------------------------------------------------------------------------------------


def inspection_start(
    *,
    actor: User,
    inspected_on: date,
    inspector_ids: Iterable[int],
    organization_id: int | None = None,
    drawn_target_id: int | None = None,
    campaign_id: int | None = None,
) -> Inspection:
    """Start an inspection of a drawn target (its organization, task and campaign taken from the draw) or of an
    owner in the actor's region, by at least two officers of the bureau's pool valid on the day and free of
    declared conflicts with the organization; with the checklist of the organization's trade (one finding per
    item, unanswered) and its registered instruments as the registry holds them now."""
    bureau = _bureau(actor)
    if inspected_on > clock.today():
        raise DomainError(_("检查日期不能晚于今天"), field="inspected_on")
    if (organization_id is None) == (drawn_target_id is None):
        raise DomainError(_("请从抽中对象开始检查，或指定一个检查对象"), field="organization")
    ids = sorted({int(pk) for pk in inspector_ids})
    if len(ids) < MIN_INSPECTORS:
        raise DomainError(_("现场检查至少要有两名执法人员"), field="inspectors")
    with transaction.atomic():
        target = None
        task = None
        campaign: Campaign | None = None
        if drawn_target_id is not None:
            target = selectors.startable_target(actor, drawn_target_id)
            if Inspection.objects.filter(drawn_target=target).exists():
                raise DomainError(_("该抽中对象已开始检查"), code="conflict")
            organization = target.organization
            task = target.draw.task
            campaign = task.campaign
        else:
            found = selectors.owners_in_scope(actor).filter(pk=int(organization_id or 0)).first()
            if found is None:
                raise NotFoundOrForbidden(_("检查对象不存在"))
            organization = found
        if campaign_id is not None:
            campaign = selectors.campaigns_visible_to(actor).filter(pk=campaign_id).first()
            if campaign is None:
                raise DomainError(_("专项检查不存在"), field="campaign")
        officers = list(inspectors_visible_to(actor).filter(pk__in=ids, active=True, valid_until__gte=inspected_on))
        if len(officers) != len(ids):
            raise DomainError(_("所选执法人员不在本部门名录库中，或执法证在检查日已失效"), field="inspectors")
        conflicted = {
            *Conflict.objects.filter(inspector__in=officers, organization=organization).values_list(
                "inspector__name", flat=True
            ),
            *(officer.name for officer in officers if officer.former_employer_id == organization.pk),
        }
        if conflicted:
            raise DomainError(
                _("执法人员与检查对象有利害关系，应当回避：%(names)s") % {"names": "、".join(sorted(conflicted))},
                field="inspectors",
            )
        checklist = selectors.checklist_for(organization)
        if checklist is None:
            raise DomainError(_("没有适用的现场检查表"))
        number = _next_number(Inspection, f"{organization.region.code}-JC-{inspected_on.year}-")
        inspection = Inspection.objects.create(
            number=number,
            organization=organization,
            region_id=organization.region_id,
            bureau=bureau,
            task=task,
            drawn_target=target,
            campaign=campaign,
            checklist=checklist,
            inspected_on=inspected_on,
            created_by=actor,
        )
        inspection.inspectors.set(officers)
        bases = dict(LegalBasis.objects.values_list("code", "id"))
        Finding.objects.bulk_create(
            Finding(
                inspection=inspection,
                code=str(item.get("code", ""))[:32],
                text=str(item.get("text", ""))[:500],
                basis_id=bases.get(str(item.get("basis", ""))),
            )
            for item in checklist.items
        )
        instruments = Instrument.objects.filter(owner=organization).exclude(status=Instrument.Status.SCRAPPED)
        InstrumentCheck.objects.bulk_create(
            InstrumentCheck(
                inspection=inspection,
                instrument=instrument,
                due_state=instrument.due_state(inspected_on),
                due_on=instrument.due_on,
            )
            for instrument in instruments.order_by("id")
        )
        audit.record(
            actor=actor,
            action="inspection.start",
            obj=inspection,
            changes={
                **audit.values(
                    inspection, "number", "organization", "bureau", "task", "drawn_target", "campaign", "inspected_on"
                ),
                "checklist": f"{checklist.trade} v{checklist.version}",
                "inspectors": [officer.certificate_number for officer in officers],
                "instruments": instruments.count(),
            },
        )
    return inspection


@dataclass(frozen=True)
class Answer:
    """One finding as recorded: compliant or not, a note and the legal basis cited (a LegalBasis code; empty keeps
    the checklist's)."""

    compliant: bool
    note: str = ""
    basis: str = ""


def findings_record(*, actor: User, inspection_id: int, answers: Mapping[int, Answer]) -> list[Finding]:
    """Record the answers of several findings of a draft inspection at once (all or none); one audit event each."""
    with transaction.atomic():
        inspection = _managed_inspection(actor, inspection_id)
        findings = {finding.pk: finding for finding in inspection.findings.select_for_update()}
        changed: list[Finding] = []
        for finding_id, answer in answers.items():
            finding = findings.get(finding_id)
            if finding is None:
                raise NotFoundOrForbidden(_("检查项目不存在"))
            note = _text(answer.note, 1000, f"note_{finding_id}")
            basis = _basis(answer.basis, f"basis_{finding_id}")
            if answer.compliant is False and not note:
                raise DomainError(_("不符合的项目请写明情况"), field=f"note_{finding_id}")
            before = audit.values(finding, "compliant", "note", "basis")
            finding.compliant = bool(answer.compliant)
            finding.note = note
            if basis is not None:
                finding.basis = basis
            after = audit.values(finding, "compliant", "note", "basis")
            if before == after:
                continue
            finding.save(update_fields=["compliant", "note", "basis"])
            audit.record(
                actor=actor,
                action="inspection.finding",
                obj=finding,
                changes={"inspection": inspection.number, "code": finding.code, **audit.diff(before, after)},
            )
            changed.append(finding)
    return changed


def finding_record(*, actor: User, finding_id: int, compliant: bool, note: str = "", basis: str = "") -> Finding:
    """Record one finding of a draft inspection: compliant or not, a note (required when not), its legal basis."""
    finding = Finding.objects.filter(pk=finding_id).only("inspection_id").first()
    if finding is None:
        raise NotFoundOrForbidden(_("检查项目不存在"))
    findings_record(
        actor=actor,
        inspection_id=finding.inspection_id,
        answers={finding_id: Answer(compliant=compliant, note=note, basis=basis)},
    )
    return Finding.objects.get(pk=finding_id)


def instrument_check_record(
    *, actor: User, instrument_check_id: int, seal_intact: bool | None, note: str = ""
) -> InstrumentCheck:
    """Record what the officers found on one of the organization's instruments: its seals, and a note."""
    row = InstrumentCheck.objects.filter(pk=instrument_check_id).only("inspection_id").first()
    if row is None:
        raise NotFoundOrForbidden(_("器具检查记录不存在"))
    with transaction.atomic():
        inspection = _managed_inspection(actor, row.inspection_id)
        check = inspection.instrument_checks.select_for_update().get(pk=instrument_check_id)
        before = audit.values(check, "seal_intact", "note")
        check.seal_intact = seal_intact
        check.note = _text(note, 500, "note")
        check.save(update_fields=["seal_intact", "note"])
        audit.record(
            actor=actor,
            action="inspection.instrument_check",
            obj=check,
            changes={
                "inspection": inspection.number,
                "instrument": check.instrument_id,
                **audit.diff(before, audit.values(check, "seal_intact", "note")),
            },
        )
    return check


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("请填写数值"), field=field) from None
    if not number.is_finite() or number <= 0 or number >= Decimal("10000000"):
        raise DomainError(_("请填写大于零的数值"), field=field)
    if -number.as_tuple().exponent > 3:  # type: ignore[operator]
        raise DomainError(_("最多三位小数"), field=field)
    return number


def test_draw_add(
    *,
    actor: User,
    inspection_id: int,
    indicated: Decimal | str,
    actual: Decimal | str,
    label: str = "",
    instrument_id: int | None = None,
) -> TestDraw:
    """Add a test draw to a draft inspection: the error against the checklist's MPE, computed by
    ``jiliang.metrology.inspection.judge_test_draw`` and stored with the verdict."""
    shown = _decimal(indicated, "indicated")
    real = _decimal(actual, "actual")
    label = _text(label, 50, "label")
    with transaction.atomic():
        inspection = _managed_inspection(actor, inspection_id)
        mpe = inspection.checklist.test_draw_mpe_percent
        if mpe is None:
            raise DomainError(_("该行业的检查表没有现场付油试验"))
        if instrument_id is not None and not inspection.instrument_checks.filter(instrument_id=instrument_id).exists():
            raise DomainError(_("该计量器具不是检查对象的在册器具"), field="instrument")
        try:
            result = judge_test_draw(shown, real, mpe)
        except TestDrawError as exc:
            raise DomainError(_(exc.msgid), field=exc.field) from exc
        draw = TestDraw.objects.create(
            inspection=inspection,
            instrument_id=instrument_id,
            label=label,
            indicated=result.indicated,
            actual=result.actual,
            mpe_percent=result.mpe_percent,
            error_percent=result.error_percent,
            passed=result.passed,
        )
        audit.record(
            actor=actor,
            action="inspection.test_draw",
            obj=draw,
            changes={
                "inspection": inspection.number,
                **audit.values(draw, "instrument", "label", "indicated", "actual", "mpe_percent", "error_percent"),
                "passed": result.passed,
            },
        )
    return draw


test_draw_add.__test__ = False  # type: ignore[attr-defined]  # a service, not a test, whatever its name says


def attachment_add(*, actor: User, inspection_id: int, upload: Any) -> Attachment:
    """Attach a photo or scan (JPEG, PNG or PDF by its content, at most the set size) to a draft inspection."""
    checked = upload_check(upload)
    stored: list[str] = []
    try:
        with transaction.atomic():
            inspection = _managed_inspection(actor, inspection_id)
            row = _store(checked, actor=actor, stored=stored, inspection=inspection)
            audit.record(
                actor=actor,
                action="inspection.attachment",
                obj=row,
                changes={
                    "inspection": inspection.number,
                    **audit.values(row, "name", "content_type", "size", "sha256"),
                },
            )
    except BaseException:
        _remove(stored)
        raise
    return row


def inspection_submit(*, actor: User, inspection_id: int, result_code: str, summary: str = "") -> Inspection:
    """Enter the result: every finding answered, a result category; a failing test draw or a non-compliant finding
    cannot be "no problem found". The result is due for publication within ``SUPERVISION_RESULT_PUBLICATION_DAYS``
    working days of the day it is entered (``metrology.cases.spot_check_publication_deadline``). From here the
    inspection, its findings and draws never change."""
    summary = _text(summary, 5000, "summary")
    with transaction.atomic():
        inspection = _managed_inspection(actor, inspection_id)
        result = ResultCategory.objects.filter(code=result_code).first()
        if result is None:
            raise DomainError(_("请选择检查结果"), field="result")
        open_items = list(inspection.findings.filter(compliant__isnull=True).values_list("code", flat=True))
        if open_items:
            raise DomainError(
                _("还有检查项目未填写：%(codes)s") % {"codes": "、".join(open_items)}, field="result", code="conflict"
            )
        problems = (
            inspection.findings.filter(compliant=False).exists() or inspection.test_draws.filter(passed=False).exists()
        )
        if problems and result.code == NO_PROBLEM:
            raise DomainError(_("有不符合项或试验不合格，检查结果不能为“未发现问题”"), field="result")
        today = clock.today()
        due = spot_check_publication_deadline(
            today, days=settings.SUPERVISION_RESULT_PUBLICATION_DAYS, calendar=work_calendar()
        )
        inspection.result = result
        inspection.summary = summary
        inspection.status = Inspection.Status.SUBMITTED
        inspection.submitted_at = clock.now()
        inspection.publish_due = due.deadline
        inspection.save(update_fields=["result", "summary", "status", "submitted_at", "publish_due"])
        audit.record(
            actor=actor,
            action="inspection.submit",
            obj=inspection,
            changes={
                **audit.values(inspection, "result", "status", "publish_due"),
                "summary": summary,
                "problems": problems,
            },
        )
    return inspection


# ---- rectification -----------------------------------------------------------------------------------------------


def _order_document(rectification: Rectification, bases: Sequence[LegalBasis]) -> bytes:
    inspection = rectification.inspection
    day = inspection.inspected_on
    problems = [
        f"{finding.code} {finding.text}：{finding.note}"
        for finding in inspection.findings.filter(compliant=False).order_by("code")
    ] + [
        f"现场付油试验 {draw.label or ''} 示值误差 {draw.error_percent}%，超出最大允许误差 ±{draw.mpe_percent}%"
        for draw in inspection.test_draws.filter(passed=False).order_by("id")
    ]
    # An enforcement document is written in Chinese whatever the reader's language.
    sections: list[tuple[str, str]] = [
        (
            "",
            f"{day.year}年{day.month}月{day.day}日，本局执法人员对你单位进行了现场检查（检查编号 {inspection.number}）。",
        ),
        ("经查，发现以下问题：", "\n".join(f"{i}. {text}" for i, text in enumerate(problems, 1)) or "见现场检查笔录。"),
        ("整改要求：", rectification.requirement),
        (
            "",
            f"请于 {rectification.deadline.year}年{rectification.deadline.month}月{rectification.deadline.day}日 前"
            "改正，并将整改情况及证明材料报送本局。逾期不改正的，本局将依法处理。",
        ),
    ]
    return render(
        Document(
            bureau=rectification.bureau.name,
            title="责令改正通知书",
            number=rectification.number,
            party=rectification.organization.name,
            sections=sections,
            issued_on=rectification.ordered_on,
            citations=[Citation(law=basis.law, article=basis.article, text=basis.text) for basis in bases],
        )
    )


def rectification_order(
    *, actor: User, inspection_id: int, requirement: str, deadline: date, basis_codes: Iterable[str]
) -> Rectification:
    """Order the inspected organization to correct what a submitted inspection found, by ``deadline``, citing the
    legal bases; the notice (责令改正通知书) is generated as PDF and stored with the order."""
    requirement = _text(requirement, 5000, "requirement", required=True)
    codes = sorted({str(code).strip() for code in basis_codes if str(code).strip()})
    if not codes:
        raise DomainError(_("请至少选择一项法律依据"), field="bases")
    today = clock.today()
    if deadline <= today:
        raise DomainError(_("整改期限应晚于今天"), field="deadline")
    with transaction.atomic():
        inspection = _managed_inspection(actor, inspection_id, draft=False)
        if inspection.status == Inspection.Status.DRAFT:
            raise DomainError(_("请先录入检查结果，再责令改正"), code="conflict")
        if inspection.result is None or not inspection.result.problem:
            raise DomainError(_("检查未发现问题，不能责令改正"), code="conflict")
        if inspection.rectifications.filter(
            status__in=[Rectification.Status.ORDERED, Rectification.Status.REPLIED]
        ).exists():
            raise DomainError(_("该检查已有未结的责令改正"), code="conflict")
        bases = list(LegalBasis.objects.filter(code__in=codes).order_by("code"))
        if len(bases) != len(codes):
            raise DomainError(_("法律依据不存在"), field="bases")
        organization = inspection.organization
        rectification = Rectification.objects.create(
            number=_next_number(Rectification, f"{organization.region.code}-ZG-{today.year}-"),
            inspection=inspection,
            organization=organization,
            region_id=inspection.region_id,
            bureau_id=inspection.bureau_id,
            requirement=requirement,
            ordered_on=today,
            deadline=deadline,
        )
        rectification.bases.set(bases)
        rectification.pdf = _order_document(rectification, bases)
        rectification.save(update_fields=["pdf"])
        audit.record(
            actor=actor,
            action="rectification.order",
            obj=rectification,
            changes={
                **audit.values(rectification, "number", "inspection", "organization", "ordered_on", "deadline"),
                "requirement": requirement,
                "bases": codes,
                "pdf_sha256": hashlib.sha256(rectification.pdf).hexdigest(),
            },
        )
    return rectification


def rectification_reply(
    *, actor: User, rectification_id: int, reply: str, attachments: Sequence[Any] = ()
) -> Rectification:
    """The ordered organization's reply (by its own login) with evidence (JPEG, PNG or PDF; all files are checked
    before any is stored, and a refused one stores nothing)."""
    reply = _text(reply, 5000, "reply", required=True)
    if len(attachments) > MAX_REPLY_FILES:
        raise DomainError(_("最多上传 %(n)s 个文件") % {"n": MAX_REPLY_FILES}, field="attachments")
    checked = [upload_check(upload, field="attachments") for upload in attachments]
    stored: list[str] = []
    try:
        with transaction.atomic():
            rectification = locked_one(
                selectors.rectifications_visible_to(actor), rectification_id, _("责令改正记录不存在")
            )
            scope = scope_of(actor)
            if not scope.is_owner or scope.organization_id != rectification.organization_id:
                raise NotFoundOrForbidden(_("责令改正记录不存在"))
            if not selectors.may_reply(actor, rectification):
                raise DomainError(_("该责令改正当前不能回复"), code="conflict")
            rows = [_store(item, actor=actor, stored=stored, rectification=rectification) for item in checked]
            rectification.reply = reply
            rectification.replied_at = clock.now()
            rectification.replied_by = actor
            rectification.status = Rectification.Status.REPLIED
            rectification.save(update_fields=["reply", "replied_at", "replied_by", "status"])
            audit.record(
                actor=actor,
                action="rectification.reply",
                obj=rectification,
                changes={
                    "status": rectification.status,
                    "reply": reply,
                    "attachments": [{"name": row.name, "sha256": row.sha256, "size": row.size} for row in rows],
                },
            )
    except BaseException:
        _remove(stored)
        raise
    return rectification


def rectification_recheck(
    *, actor: User, rectification_id: int, passed: bool, note: str = "", recheck_on: date | None = None
) -> Rectification:
    """The bureau's re-check of a replied order: passed closes it; not passed leaves it open (待整改, no further
    reply) for escalation to a case."""
    note = _text(note, 5000, "note", required=not passed)
    day = recheck_on or clock.today()
    with transaction.atomic():
        rectification = locked_one(
            selectors.rectifications_visible_to(actor), rectification_id, _("责令改正记录不存在")
        )
        if not selectors.may_manage_rectification(actor, rectification):
            raise NotFoundOrForbidden(_("责令改正记录不存在"))
        if rectification.status != Rectification.Status.REPLIED:
            raise DomainError(_("单位回复整改情况后才能复查"), code="conflict")
        if day > clock.today() or day < rectification.ordered_on:
            raise DomainError(_("复查日期应在责令日期与今天之间"), field="recheck_on")
        rectification.recheck_on = day
        rectification.recheck_note = note
        rectification.rechecked_by = actor
        rectification.status = Rectification.Status.CLOSED if passed else Rectification.Status.ORDERED
        rectification.save(update_fields=["recheck_on", "recheck_note", "rechecked_by", "status"])
        audit.record(
            actor=actor,
            action="rectification.recheck",
            obj=rectification,
            changes={"passed": passed, **audit.values(rectification, "status", "recheck_on", "recheck_note")},
        )
    return rectification
