"""The services and selectors of inspections on the spot and rectification: who may start and record an inspection,
what it pulls in, test draws against the MPE, hostile uploads, submission, the order, the reply and the re-check."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from jiliang.core import clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent, Organization, Role
from jiliang.supervision.models import (
    Attachment,
    Campaign,
    Conflict,
    Inspection,
    Rectification,
    Trade,
)
from jiliang.supervision.selectors import inspections as selectors
from jiliang.supervision.services import inspections as services

from ..builders.supervision import (
    INSPECTIONS_DAY,
    inspections_answer_all,
    inspections_draw,
    inspections_start,
)
from ..factories import InstrumentFactory, OrganizationFactory, UserFactory, credit_code

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def day():
    with clock.travel(INSPECTIONS_DAY):
        yield INSPECTIONS_DAY


@pytest.fixture
def drawn(city, world, day):
    return inspections_draw(city, world)


@pytest.fixture
def target(drawn):
    return drawn.targets.order_by("stratum", "rank").first()


@pytest.fixture
def inspection(city, world, target):
    return inspections_start(city, world, target=target)


def stored_files(media: Path) -> list[Path]:
    return [p for p in (media / "supervision").rglob("*") if p.is_file()] if (media / "supervision").exists() else []


def fail_and_submit(city, inspection, result="ordered_to_correct"):
    inspections_answer_all(city, inspection)
    services.test_draw_add(
        actor=city.county_regulator_a, inspection_id=inspection.pk, indicated="20", actual="19.90", label="1号枪 92#"
    )
    return services.inspection_submit(
        actor=city.county_regulator_a, inspection_id=inspection.pk, result_code=result, summary="付油误差超差"
    )


def order(city, inspection, **kwargs):
    kwargs.setdefault("deadline", INSPECTIONS_DAY + timedelta(days=15))
    kwargs.setdefault("basis_codes", ["JLXZ-46", "JYZ-GEN"])
    return services.rectification_order(
        actor=city.county_regulator_a,
        inspection_id=inspection.pk,
        requirement="停止使用超差加油机，维修并重新检定",
        **kwargs,
    )


def owner_login(organization):
    return UserFactory(role=Role.OWNER, organization=organization)


# ---- start -------------------------------------------------------------------------------------------------------


def test_an_inspection_of_a_drawn_target_takes_its_organization_task_and_checklist(city, world, target, day):
    valid = InstrumentFactory(owner=target.organization, last_verified_on=date(2026, 6, 1))
    never = InstrumentFactory(owner=target.organization, last_verified_on=None)
    overdue = InstrumentFactory(owner=target.organization, last_verified_on=date(2025, 6, 1))
    InstrumentFactory(owner=city.owner_b)  # another organization's: not pulled in
    inspection = inspections_start(city, world, target=target)
    assert inspection.organization == target.organization
    assert inspection.task == world.task and inspection.drawn_target == target
    assert inspection.region == city.county_a and inspection.bureau == city.bureau_a
    assert re.fullmatch(r"210921-JC-2026-0001", inspection.number)
    assert inspection.checklist.trade == Trade.PETROL
    assert inspection.status == Inspection.Status.DRAFT
    assert set(inspection.inspectors.all()) == set(world.inspectors[:2])
    codes = list(inspection.findings.values_list("code", "compliant", "basis__code"))
    assert [c for c, _x, _y in codes] == ["P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08"]
    assert all(compliant is None for _c, compliant, _b in codes) and all(b for _c, _x, b in codes)
    states = dict(inspection.instrument_checks.values_list("instrument_id", "due_state"))
    assert states == {valid.pk: "valid", never.pk: "never", overdue.pk: "overdue"}
    event = AuditEvent.objects.get(action="inspection.start")
    assert event.actor == city.county_regulator_a and event.changes["number"] == inspection.number
    assert event.changes["instruments"] == 3


def test_numbers_run_on_per_county_and_year(city, world, drawn, day):
    first, second = drawn.targets.order_by("stratum", "rank")[:2]
    assert inspections_start(city, world, target=first).number.endswith("-0001")
    assert inspections_start(city, world, target=second).number == "210921-JC-2026-0002"


def test_a_drawn_target_is_inspected_once(city, world, target, inspection):
    with pytest.raises(DomainError, match="已开始检查"):
        inspections_start(city, world, target=target)


def test_an_inspection_outside_a_draw_is_of_an_owner_in_the_region_with_its_trade_checklist(city, world, day):
    campaign = Campaign.objects.create(
        bureau=city.bureau_a, region=city.county_a, name="集贸市场专项", trade=Trade.MARKET,
        starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31),
    )  # fmt: skip
    inspection = services.inspection_start(
        actor=city.county_regulator_a,
        organization_id=city.owner_a.pk,
        campaign_id=campaign.pk,
        inspected_on=day,
        inspector_ids=[officer.pk for officer in world.inspectors[1:3]],
    )
    assert inspection.task is None and inspection.campaign == campaign
    assert inspection.checklist.trade == Trade.MARKET
    assert inspection.findings.count() == 6


@pytest.mark.parametrize(
    ("category", "trade"),
    [
        ("petrol_station", "petrol"),
        ("market_fair", "market"),
        ("supermarket", "market"),
        ("glasses_shop", "glasses"),
        ("taxi_company", "taxi"),
        ("factory", "enterprise"),
        ("utility", "enterprise"),
        ("hospital", "other"),
        ("school", "other"),
    ],
)
def test_the_checklist_follows_the_organization_s_category(category, trade):
    assert selectors.trade_of(Organization(category=category)) == trade


def test_another_county_cannot_inspect_county_a_s_owner_nor_its_drawn_target(city, world, target, day):
    with pytest.raises(NotFoundOrForbidden):
        services.inspection_start(
            actor=city.county_regulator_b, organization_id=city.owner_a.pk, inspected_on=day, inspector_ids=[1, 2]
        )
    with pytest.raises(NotFoundOrForbidden):
        services.inspection_start(
            actor=city.county_regulator_b, drawn_target_id=target.pk, inspected_on=day, inspector_ids=[1, 2]
        )
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("persona", ["owner_a_user", "institute_user", "admin"])
def test_only_a_bureau_starts_inspections(city, world, persona, day):
    with pytest.raises(DomainError):
        services.inspection_start(
            actor=getattr(city, persona),
            organization_id=city.owner_a.pk,
            inspected_on=day,
            inspector_ids=[o.pk for o in world.inspectors[:2]],
        )
    assert not Inspection.objects.exists()


def test_the_city_bureau_may_not_start_on_a_county_s_drawn_target(city, world, target, day):
    with pytest.raises(NotFoundOrForbidden):
        services.inspection_start(
            actor=city.city_regulator,
            drawn_target_id=target.pk,
            inspected_on=day,
            inspector_ids=[o.pk for o in world.inspectors[:2]],
        )


def test_two_officers_are_needed_and_each_must_be_valid_on_the_day_and_free_of_conflicts(city, world, target, day):
    officers = world.inspectors

    def start(ids):
        return services.inspection_start(
            actor=city.county_regulator_a, drawn_target_id=target.pk, inspected_on=day, inspector_ids=ids
        )

    with pytest.raises(DomainError, match="至少要有两名"):
        start([officers[0].pk, officers[0].pk])
    officers[1].valid_until = date(2026, 12, 1)
    officers[1].save()
    with pytest.raises(DomainError, match="已失效"):
        start([officers[0].pk, officers[1].pk])
    officers[2].active = False
    officers[2].save()
    with pytest.raises(DomainError, match="不在本部门名录库"):
        start([officers[0].pk, officers[2].pk])
    Conflict.objects.create(
        inspector=officers[3], organization=target.organization, kind="relative", declared_on=date(2026, 1, 1)
    )
    with pytest.raises(DomainError, match="回避") as caught:
        start([officers[0].pk, officers[3].pk])
    assert officers[3].name in caught.value.message
    officers[4].former_employer = target.organization
    officers[4].save()
    with pytest.raises(DomainError, match="回避"):
        start([officers[0].pk, officers[4].pk])
    assert not Inspection.objects.exists()


def test_an_officer_of_another_county_is_not_in_the_pool(city, world, target, day):
    from jiliang.supervision.services import rosters

    other = rosters.inspector_create(
        actor=city.county_regulator_b,
        organization=city.bureau_b,
        name="乙县执法员",
        certificate_number="LN2109220001",
        valid_until=date(2030, 1, 1),
    )
    with pytest.raises(DomainError, match="不在本部门名录库"):
        services.inspection_start(
            actor=city.county_regulator_a,
            drawn_target_id=target.pk,
            inspected_on=day,
            inspector_ids=[world.inspectors[0].pk, other.pk],
        )


def test_an_inspection_cannot_be_dated_in_the_future(city, world, target, day):
    with pytest.raises(DomainError, match="不能晚于今天"):
        inspections_start(city, world, target=target, on=day + timedelta(days=1))


# ---- recording ---------------------------------------------------------------------------------------------------


def test_a_test_draw_is_judged_against_the_checklist_mpe_and_stored(city, inspection):
    good = services.test_draw_add(
        actor=city.county_regulator_a, inspection_id=inspection.pk, indicated="20", actual="19.95", label="1号枪"
    )
    bad = services.test_draw_add(
        actor=city.county_regulator_a, inspection_id=inspection.pk, indicated=Decimal("20"), actual=Decimal("19.90")
    )
    assert (good.error_percent, good.mpe_percent, good.passed) == (Decimal("0.251"), Decimal("0.30"), True)
    assert (bad.error_percent, bad.passed) == (Decimal("0.503"), False)
    event = AuditEvent.objects.filter(action="inspection.test_draw").order_by("id").last()
    assert event.changes["error_percent"] == "0.503" and event.changes["passed"] is False


@pytest.mark.parametrize(("indicated", "actual", "field"), [("20", "0", "actual"), ("x", "20", "indicated"),
                                                            ("20", "19.9999", "actual"), ("-1", "20", "indicated")])  # fmt: skip
def test_a_test_draw_that_cannot_be_judged_is_refused_on_its_field(city, inspection, indicated, actual, field):
    with pytest.raises(DomainError) as caught:
        services.test_draw_add(
            actor=city.county_regulator_a, inspection_id=inspection.pk, indicated=indicated, actual=actual
        )
    assert caught.value.errors[0][0] == field
    assert not inspection.test_draws.exists()


def test_a_test_draw_names_only_an_instrument_of_the_inspected_organization(city, world, target, day):
    own = InstrumentFactory(owner=target.organization, name="燃油加油机")
    other = InstrumentFactory(owner=city.owner_b)
    inspection = inspections_start(city, world, target=target)
    services.test_draw_add(
        actor=city.county_regulator_a, inspection_id=inspection.pk, indicated="20", actual="20", instrument_id=own.pk
    )
    with pytest.raises(DomainError):
        services.test_draw_add(
            actor=city.county_regulator_a,
            inspection_id=inspection.pk,
            indicated="20",
            actual="20",
            instrument_id=other.pk,
        )


def test_a_trade_without_test_draws_refuses_one(city, world, day):
    inspection = inspections_start(city, world, organization=city.owner_a)
    with pytest.raises(DomainError, match="没有现场付油试验"):
        services.test_draw_add(actor=city.county_regulator_a, inspection_id=inspection.pk, indicated="1", actual="1")


def test_a_finding_not_met_needs_a_note_and_may_cite_another_basis(city, inspection):
    finding = inspection.findings.get(code="P03")
    with pytest.raises(DomainError, match="写明情况"):
        services.finding_record(actor=city.county_regulator_a, finding_id=finding.pk, compliant=False)
    saved = services.finding_record(
        actor=city.county_regulator_a, finding_id=finding.pk, compliant=False, note="2号枪超差", basis="JLF-27"
    )
    assert (saved.compliant, saved.note, saved.basis.code) == (False, "2号枪超差", "JLF-27")
    with pytest.raises(DomainError, match="法律依据不存在"):
        services.finding_record(actor=city.county_regulator_a, finding_id=finding.pk, compliant=True, basis="NOPE")
    event = AuditEvent.objects.get(action="inspection.finding")
    assert event.changes["code"] == "P03" and event.changes["compliant"] == [None, False]


def test_the_seals_of_an_instrument_are_recorded(city, world, target, day):
    InstrumentFactory(owner=target.organization)
    inspection = inspections_start(city, world, target=target)
    check = inspection.instrument_checks.get()
    saved = services.instrument_check_record(
        actor=city.county_regulator_a, instrument_check_id=check.pk, seal_intact=False, note="主板封印破损"
    )
    assert saved.seal_intact is False and saved.note == "主板封印破损"
    assert AuditEvent.objects.filter(action="inspection.instrument_check").exists()


def test_another_county_and_the_city_bureau_cannot_record_county_a_s_inspection(city, inspection):
    finding = inspection.findings.first()
    for actor in (city.county_regulator_b, city.city_regulator, city.owner_a_user):
        with pytest.raises(NotFoundOrForbidden):
            services.finding_record(actor=actor, finding_id=finding.pk, compliant=True)
        with pytest.raises(NotFoundOrForbidden):
            services.test_draw_add(actor=actor, inspection_id=inspection.pk, indicated="20", actual="20")
        with pytest.raises(NotFoundOrForbidden):
            services.attachment_add(actor=actor, inspection_id=inspection.pk, upload=SimpleUploadedFile("a.jpg", JPEG))
    assert not inspection.test_draws.exists() and not Attachment.objects.exists()


# ---- hostile uploads ---------------------------------------------------------------------------------------------


def test_a_jpeg_a_png_and_a_pdf_are_stored_under_their_digest_outside_the_web_root(city, inspection, media):
    rows = [
        services.attachment_add(
            actor=city.county_regulator_a, inspection_id=inspection.pk, upload=SimpleUploadedFile(name, content)
        )
        for name, content in (("现场照片.JPG", JPEG), ("seal.png", PNG), ("../../etc/笔录.pdf", PDF))
    ]
    assert [row.content_type for row in rows] == ["image/jpeg", "image/png", "application/pdf"]
    assert rows[2].name == "笔录.pdf"
    assert all(row.file.name.startswith(f"supervision/{row.sha256[:2]}/{row.sha256}") for row in rows)
    assert len(stored_files(media)) == 3
    assert rows[2].file.read() == PDF and rows[2].size == len(PDF)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("seal.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("seal.png", b"<svg onload=alert(1)></svg>"),
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("run.jpg", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64),
        ("empty.jpg", b""),
    ],
)
def test_anything_but_jpeg_png_or_pdf_by_content_is_refused_and_nothing_is_saved(
    city, inspection, media, name, content
):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with pytest.raises(DomainError):
        services.attachment_add(actor=city.county_regulator_a, inspection_id=inspection.pk, upload=upload)
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(action="inspection.attachment").exists()


class NeverRead:
    """An upload that claims to be huge and fails the test if anything reads it."""

    name = "big.jpg"
    size = 10 * 1024 * 1024 + 1

    def read(self, *args):
        raise AssertionError("an oversize upload was read")

    seek = chunks = read


def test_a_file_over_the_limit_is_refused_before_a_byte_is_read(city, inspection, media, settings):
    assert settings.SUPERVISION_ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    with pytest.raises(DomainError, match="文件过大"):
        services.attachment_add(actor=city.county_regulator_a, inspection_id=inspection.pk, upload=NeverRead())
    settings.SUPERVISION_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(DomainError, match="文件过大"):
        services.attachment_add(
            actor=city.county_regulator_a, inspection_id=inspection.pk, upload=SimpleUploadedFile("a.jpg", JPEG)
        )
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_a_file_whose_row_cannot_be_saved_leaves_no_file(city, inspection, media, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services.audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.attachment_add(
            actor=city.county_regulator_a, inspection_id=inspection.pk, upload=SimpleUploadedFile("a.jpg", JPEG)
        )
    assert not Attachment.objects.exists() and stored_files(media) == []


# ---- submission --------------------------------------------------------------------------------------------------


def test_a_submission_needs_every_finding_answered(city, inspection):
    with pytest.raises(DomainError, match="未填写"):
        services.inspection_submit(actor=city.county_regulator_a, inspection_id=inspection.pk, result_code="no_problem")
    with pytest.raises(DomainError, match="检查结果"):
        inspections_answer_all(city, inspection)
        services.inspection_submit(actor=city.county_regulator_a, inspection_id=inspection.pk, result_code="nope")


def test_a_failing_test_draw_or_a_finding_not_met_is_never_no_problem_found(city, world, drawn, day):
    first, second = drawn.targets.order_by("stratum", "rank")[:2]
    failing = inspections_start(city, world, target=first)
    inspections_answer_all(city, failing)
    services.test_draw_add(actor=city.county_regulator_a, inspection_id=failing.pk, indicated="20", actual="19.90")
    not_met = inspections_start(city, world, target=second)
    inspections_answer_all(city, not_met, compliant=False)
    for inspection in (failing, not_met):
        with pytest.raises(DomainError, match="未发现问题"):
            services.inspection_submit(
                actor=city.county_regulator_a, inspection_id=inspection.pk, result_code="no_problem"
            )
        assert Inspection.objects.get(pk=inspection.pk).status == Inspection.Status.DRAFT


def test_a_submitted_result_is_due_for_publication_in_20_working_days_and_never_changes(city, inspection, media):
    submitted = fail_and_submit(city, inspection)
    assert submitted.status == Inspection.Status.SUBMITTED and submitted.result_id == "ordered_to_correct"
    # Wednesday 2 December 2026 + 20 working days (no holiday in between): 3, 4, 7–11, 14–18, 21–25, 28, 29, 30.
    assert submitted.publish_due == date(2026, 12, 30)
    assert submitted.submitted_at is not None
    finding = inspection.findings.first()
    actor = city.county_regulator_a
    with pytest.raises(DomainError, match="不能再修改"):
        services.finding_record(actor=actor, finding_id=finding.pk, compliant=False, note="改")
    with pytest.raises(DomainError, match="不能再修改"):
        services.test_draw_add(actor=actor, inspection_id=inspection.pk, indicated="20", actual="20")
    with pytest.raises(DomainError, match="不能再修改"):
        services.attachment_add(actor=actor, inspection_id=inspection.pk, upload=SimpleUploadedFile("a.jpg", JPEG))
    with pytest.raises(DomainError, match="不能再修改"):
        services.inspection_submit(actor=actor, inspection_id=inspection.pk, result_code="no_problem")
    assert stored_files(media) == [] and Inspection.objects.get(pk=inspection.pk).result_id == "ordered_to_correct"


def test_the_publication_days_are_a_setting(city, inspection, settings):
    settings.SUPERVISION_RESULT_PUBLICATION_DAYS = 5
    inspections_answer_all(city, inspection)
    submitted = services.inspection_submit(
        actor=city.county_regulator_a, inspection_id=inspection.pk, result_code="no_problem"
    )
    assert submitted.publish_due == date(2026, 12, 9)  # 3, 4, 7, 8, 9


# ---- rectification -----------------------------------------------------------------------------------------------


def test_an_order_needs_a_submitted_inspection_with_a_problem(city, world, drawn, day):
    first, second = drawn.targets.order_by("stratum", "rank")[:2]
    draft = inspections_start(city, world, target=first)
    with pytest.raises(DomainError, match="请先录入检查结果"):
        order(city, draft)
    clean = inspections_start(city, world, target=second)
    inspections_answer_all(city, clean)
    services.inspection_submit(actor=city.county_regulator_a, inspection_id=clean.pk, result_code="no_problem")
    with pytest.raises(DomainError, match="未发现问题"):
        order(city, clean)
    assert not Rectification.objects.exists()


def test_an_order_is_numbered_and_its_notice_cites_the_bases(city, inspection):
    fail_and_submit(city, inspection)
    rectification = order(city, inspection)
    assert rectification.number == "210921-ZG-2026-0001"
    assert rectification.status == Rectification.Status.ORDERED and rectification.ordered_on == INSPECTIONS_DAY
    assert sorted(rectification.bases.values_list("code", flat=True)) == ["JLXZ-46", "JYZ-GEN"]
    pdf = bytes(Rectification.objects.get(pk=rectification.pk).pdf)
    text = re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))
    assert "责令改正通知书" in text and rectification.number in text
    assert inspection.organization.name in text and "0.503" in text
    assert "加油站计量监督管理办法" in text or "计量法" in text
    with pytest.raises(DomainError, match="未结"):
        order(city, inspection)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"basis_codes": []}, "法律依据"),
        ({"basis_codes": ["NOPE"]}, "法律依据不存在"),
        ({"deadline": INSPECTIONS_DAY}, "晚于今天"),
    ],
)
def test_an_order_without_basis_or_with_a_past_deadline_is_refused(city, inspection, kwargs, message):
    fail_and_submit(city, inspection)
    with pytest.raises(DomainError, match=message):
        order(city, inspection, **kwargs)
    assert not Rectification.objects.exists()


def test_only_the_ordered_organization_replies_and_only_once(city, inspection, media):
    fail_and_submit(city, inspection)
    rectification = order(city, inspection)
    stranger = owner_login(city.owner_b)
    for actor in (stranger, city.owner_a_user, city.county_regulator_a):
        with pytest.raises(NotFoundOrForbidden):
            services.rectification_reply(actor=actor, rectification_id=rectification.pk, reply="已整改")
    login = owner_login(inspection.organization)
    replied = services.rectification_reply(
        actor=login,
        rectification_id=rectification.pk,
        reply="已维修并重新检定",
        attachments=[SimpleUploadedFile("检定证书.pdf", PDF), SimpleUploadedFile("照片.jpg", JPEG)],
    )
    assert replied.status == Rectification.Status.REPLIED and replied.replied_by == login
    assert sorted(replied.attachments.values_list("content_type", flat=True)) == ["application/pdf", "image/jpeg"]
    assert len(stored_files(media)) == 2
    with pytest.raises(DomainError, match="不能回复"):
        services.rectification_reply(actor=login, rectification_id=rectification.pk, reply="再次回复")


def test_a_reply_with_one_hostile_file_stores_nothing(city, inspection, media):
    fail_and_submit(city, inspection)
    rectification = order(city, inspection)
    login = owner_login(inspection.organization)
    with pytest.raises(DomainError, match="JPEG"):
        services.rectification_reply(
            actor=login,
            rectification_id=rectification.pk,
            reply="已整改",
            attachments=[SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("x.jpg", b"<html>")],
        )
    assert Rectification.objects.get(pk=rectification.pk).status == Rectification.Status.ORDERED
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_a_recheck_not_passed_leaves_the_order_open_and_passed_closes_it(city, world, drawn, day):
    first, second = drawn.targets.order_by("stratum", "rank")[:2]
    results = {}
    for target, passed in ((first, False), (second, True)):
        inspection = inspections_start(city, world, target=target)
        fail_and_submit(city, inspection)
        rectification = order(city, inspection)
        with pytest.raises(DomainError, match="回复整改情况后"):
            services.rectification_recheck(
                actor=city.county_regulator_a, rectification_id=rectification.pk, passed=True
            )
        login = owner_login(target.organization)
        services.rectification_reply(actor=login, rectification_id=rectification.pk, reply="已整改")
        with pytest.raises(NotFoundOrForbidden):
            services.rectification_recheck(
                actor=city.county_regulator_b, rectification_id=rectification.pk, passed=True
            )
        if not passed:
            with pytest.raises(DomainError, match="请填写"):
                services.rectification_recheck(
                    actor=city.county_regulator_a, rectification_id=rectification.pk, passed=False
                )
        results[passed] = services.rectification_recheck(
            actor=city.county_regulator_a, rectification_id=rectification.pk, passed=passed, note="复查意见"
        )
        assert not selectors.may_reply(login, results[passed])
    assert results[True].status == Rectification.Status.CLOSED
    assert results[False].status == Rectification.Status.ORDERED and results[False].recheck_on == INSPECTIONS_DAY


def test_an_order_past_its_deadline_without_a_reply_is_overdue(city, world, drawn, day):
    first, second = drawn.targets.order_by("stratum", "rank")[:2]
    silent = inspections_start(city, world, target=first)
    fail_and_submit(city, silent)
    silent_order = order(city, silent, deadline=date(2026, 12, 10))
    answered = inspections_start(city, world, target=second)
    fail_and_submit(city, answered)
    answered_order = order(city, answered, deadline=date(2026, 12, 10))
    services.rectification_reply(
        actor=owner_login(second.organization), rectification_id=answered_order.pk, reply="已整改"
    )
    overdue = lambda today: set(Rectification.objects.filter(selectors.rectification_overdue_q(today)))  # noqa: E731
    assert overdue(date(2026, 12, 10)) == set()  # the deadline day is in time
    assert overdue(date(2026, 12, 11)) == {silent_order}
    assert selectors.is_overdue(silent_order, date(2026, 12, 11))
    assert not selectors.is_overdue(Rectification.objects.get(pk=answered_order.pk), date(2026, 12, 11))


# ---- who sees what -----------------------------------------------------------------------------------------------


def test_owners_see_their_own_submitted_inspections_and_orders_only(city, world, day):
    draft = inspections_start(city, world, organization=city.owner_a)
    assert list(selectors.inspections_visible_to(city.owner_a_user)) == []
    inspections_answer_all(city, draft, compliant=False)
    services.inspection_submit(actor=city.county_regulator_a, inspection_id=draft.pk, result_code="ordered_to_correct")
    rectification = order(city, draft)
    assert list(selectors.inspections_visible_to(city.owner_a_user)) == [draft]
    assert list(selectors.rectifications_visible_to(city.owner_a_user)) == [rectification]
    for outsider in (city.owner_b_user, city.institute_user, city.county_regulator_b, None):
        assert not selectors.inspections_visible_to(outsider).exists()
        assert not selectors.rectifications_visible_to(outsider).exists()
    assert list(selectors.inspections_visible_to(city.city_regulator)) == [draft]
    assert list(selectors.inspections_visible_to(city.admin)) == [draft]


def test_the_list_filters_by_status_result_task_and_county(city, world, drawn, day):
    first, second = drawn.targets.order_by("stratum", "rank")[:2]
    drafted = inspections_start(city, world, target=first)
    submitted = inspections_start(city, world, target=second)
    fail_and_submit(city, submitted)
    adhoc = inspections_start(city, world, organization=city.owner_a)
    user = city.city_regulator

    def listed(**kwargs):
        return set(selectors.inspection_list(user, selectors.InspectionFilters(**kwargs)))

    assert listed() == {drafted, submitted, adhoc}
    assert listed(status="submitted") == {submitted}
    assert listed(result="ordered_to_correct") == {submitted}
    assert listed(task=world.task.pk) == {drafted, submitted}
    assert listed(county=city.county_a.pk) == {drafted, submitted, adhoc}
    assert listed(county=city.county_b.pk) == set()
    assert (
        selectors.inspection_list(city.county_regulator_b, selectors.InspectionFilters(county=city.county_a.pk)).count()
        == 0
    )


def test_an_ad_hoc_owner_is_found_by_credit_code_in_the_region_only(city, world):
    assert selectors.owner_for_inspection(city.county_regulator_a, city.owner_a.credit_code.lower()) == city.owner_a
    with pytest.raises(NotFoundOrForbidden):
        selectors.owner_for_inspection(city.county_regulator_a, city.owner_b.credit_code)
    with pytest.raises(NotFoundOrForbidden):
        selectors.owner_for_inspection(city.owner_a_user, city.owner_a.credit_code)
    stranger = OrganizationFactory(kind=Organization.Kind.INSTITUTE, region=city.county_a, credit_code=credit_code())
    with pytest.raises(NotFoundOrForbidden):
        selectors.owner_for_inspection(city.county_regulator_a, stranger.credit_code)
