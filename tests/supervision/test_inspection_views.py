"""The pages of inspections and rectification: a county bureau goes from a drawn target to a closed order through the
pages, the organization replies with its own login, and every outsider is refused (the login page for an anonymous
visitor, 404 for everyone else out of scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiliang.core import clock
from jiliang.core.models import AuditEvent, Role
from jiliang.supervision.models import Attachment, Inspection, Rectification
from jiliang.supervision.services import inspections as services

from ..builders.supervision import INSPECTIONS_DAY, inspections_answer_all, inspections_draw, inspections_start
from ..factories import InstrumentFactory, UserFactory

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def day():
    with clock.travel(INSPECTIONS_DAY):
        yield INSPECTIONS_DAY


@dataclass
class Scene:
    target_inspection: Inspection  # a drawn petrol station's inspection, a draft
    owner_draft: Inspection  # owner A's inspection, a draft
    owner_submitted: Inspection  # owner A's, submitted with a problem
    rectification: Rectification  # ordered on owner A's submitted inspection
    attachment: Attachment  # on owner A's submitted inspection
    draft_attachment: Attachment  # on the drawn target's draft


@pytest.fixture
def scene(city, world, day) -> Scene:
    draw = inspections_draw(city, world)
    target = draw.targets.order_by("stratum", "rank").first()
    InstrumentFactory(owner=target.organization, name="燃油加油机")
    target_inspection = inspections_start(city, world, target=target)
    draft_attachment = services.attachment_add(
        actor=city.county_regulator_a,
        inspection_id=target_inspection.pk,
        upload=SimpleUploadedFile("草稿照片.jpg", JPEG),
    )
    owner_draft = inspections_start(city, world, organization=city.owner_a)
    owner_submitted = inspections_start(city, world, organization=city.owner_a)
    attachment = services.attachment_add(
        actor=city.county_regulator_a, inspection_id=owner_submitted.pk, upload=SimpleUploadedFile("笔录.pdf", PDF)
    )
    inspections_answer_all(city, owner_submitted, compliant=False)
    services.inspection_submit(
        actor=city.county_regulator_a, inspection_id=owner_submitted.pk, result_code="ordered_to_correct"
    )
    rectification = services.rectification_order(
        actor=city.county_regulator_a,
        inspection_id=owner_submitted.pk,
        requirement="设置公平秤",
        deadline=day + timedelta(days=10),
        basis_codes=["JMSC-GEN"],
    )
    return Scene(target_inspection, owner_draft, owner_submitted, rectification, attachment, draft_attachment)


def reads(scene: Scene) -> list[str]:
    """Every page that reads one record of county A, or a list."""
    return [
        reverse("supervision:inspection_detail", args=[scene.target_inspection.pk]),
        reverse("supervision:inspection_detail", args=[scene.owner_draft.pk]),
        reverse("supervision:inspection_detail", args=[scene.owner_submitted.pk]),
        reverse("supervision:attachment", args=[scene.attachment.pk]),
        reverse("supervision:attachment", args=[scene.draft_attachment.pk]),
        reverse("supervision:rectification_detail", args=[scene.rectification.pk]),
        reverse("supervision:rectification_pdf", args=[scene.rectification.pk]),
    ]


def manages(scene: Scene) -> list[str]:
    """The pages only the bureau that made the inspection opens."""
    pk = scene.target_inspection.pk
    return [
        reverse("supervision:inspection_findings", args=[pk]),
        reverse("supervision:inspection_draw", args=[pk]),
        reverse("supervision:inspection_submit", args=[pk]),
        reverse("supervision:inspection_order", args=[scene.owner_submitted.pk]),
    ]


def lists() -> list[str]:
    return [
        reverse("supervision:inspections"),
        reverse("supervision:inspection_create"),
        reverse("supervision:rectifications"),
    ]


def posts(scene: Scene) -> list[tuple[str, dict]]:
    pk = scene.target_inspection.pk
    finding = scene.target_inspection.findings.first()
    check = scene.target_inspection.instrument_checks.first()
    target = scene.target_inspection.drawn_target
    return [
        (
            reverse("supervision:inspection_findings", args=[pk]),
            {f"compliant_{finding.pk}": "no", f"note_{finding.pk}": "x"},
        ),
        (
            reverse("supervision:inspection_instrument", args=[pk]),
            {"check": check.pk, f"c{check.pk}-seal_intact": "no"},
        ),
        (reverse("supervision:inspection_draw", args=[pk]), {"indicated": "20", "actual": "19.9"}),
        (reverse("supervision:inspection_upload", args=[pk]), {"file": SimpleUploadedFile("x.jpg", JPEG)}),
        (reverse("supervision:inspection_submit", args=[pk]), {"result": "ordered_to_correct"}),
        (
            reverse("supervision:inspection_order", args=[scene.owner_submitted.pk]),
            {"requirement": "x", "deadline": "2026-12-30", "bases": ["JLF-9"]},
        ),
        (reverse("supervision:inspection_create") + f"?target={target.pk}", {"inspected_on": "2026-12-02"}),
        (reverse("supervision:rectification_reply", args=[scene.rectification.pk]), {"reply": "已整改"}),
        (
            reverse("supervision:rectification_recheck", args=[scene.rectification.pk]),
            {"passed": "yes", "recheck_on": "2026-12-02"},
        ),
    ]


def unchanged(scene: Scene) -> None:
    """Nothing an outsider posted changed anything."""
    inspection = Inspection.objects.get(pk=scene.target_inspection.pk)
    assert inspection.status == Inspection.Status.DRAFT
    assert not inspection.findings.exclude(compliant=None).exists()
    assert not inspection.test_draws.exists()
    assert inspection.attachments.count() == 1
    assert not inspection.instrument_checks.exclude(seal_intact=None).exists()
    assert Rectification.objects.count() == 1
    assert Rectification.objects.get().status == Rectification.Status.ORDERED
    assert Inspection.objects.count() == 3


def test_anonymous_is_sent_to_login_from_every_page(client, scene):
    for url in [*reads(scene), *manages(scene), *lists(), reverse("supervision:mine")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    for url, data in posts(scene):
        assert client.post(url, data).status_code in (302, 403), url
    unchanged(scene)


@pytest.mark.parametrize("persona", ["county_regulator_b", "owner_b", "institute"])
def test_outsiders_get_404_on_every_record_and_change_nothing(client, city, scene, persona):
    client.force_login(city.personas[persona])
    for url in [*reads(scene), *manages(scene)]:
        assert client.get(url).status_code == 404, url
    for url, data in posts(scene):
        assert client.post(url, data).status_code == 404, url
    unchanged(scene)


def test_another_county_s_lists_do_not_show_county_a_s_records(client, city, scene):
    client.force_login(city.county_regulator_b)
    assert scene.owner_submitted.number not in client.get(reverse("supervision:inspections")).content.decode()
    assert scene.rectification.number not in client.get(reverse("supervision:rectifications")).content.decode()
    # A county filter naming county A gives nothing either.
    html = client.get(reverse("supervision:inspections"), {"county": city.county_a.pk}).content.decode()
    assert scene.owner_submitted.number not in html
    assert client.get(reverse("supervision:mine")).status_code == 404


@pytest.mark.parametrize("persona", ["owner_a", "owner_b", "institute"])
def test_owners_and_institutes_get_404_on_the_regulators_lists(client, city, scene, persona):
    client.force_login(city.personas[persona])
    for url in lists():
        assert client.get(url).status_code == 404, url


def test_owner_a_sees_its_submitted_inspection_and_its_order_but_not_drafts(client, city, scene):
    client.force_login(city.owner_a_user)
    mine = client.get(reverse("supervision:mine")).content.decode()
    assert scene.owner_submitted.number in mine and scene.rectification.number in mine
    assert scene.owner_draft.number not in mine and scene.target_inspection.number not in mine
    assert client.get(reverse("supervision:inspection_detail", args=[scene.owner_submitted.pk])).status_code == 200
    assert client.get(reverse("supervision:inspection_detail", args=[scene.owner_draft.pk])).status_code == 404
    assert client.get(reverse("supervision:inspection_detail", args=[scene.target_inspection.pk])).status_code == 404
    assert client.get(reverse("supervision:attachment", args=[scene.draft_attachment.pk])).status_code == 404
    assert client.get(reverse("supervision:attachment", args=[scene.attachment.pk])).status_code == 200
    html = client.get(reverse("supervision:rectification_detail", args=[scene.rectification.pk])).content.decode()
    assert "回复整改情况" in html and "录入复查结论" not in html
    for url in manages(scene):
        assert client.get(url).status_code == 404, url
    recheck = reverse("supervision:rectification_recheck", args=[scene.rectification.pk])
    assert client.post(recheck, {"passed": "yes", "recheck_on": "2026-12-02"}).status_code == 404


def test_the_city_bureau_reads_county_a_s_inspections_but_records_nothing(client, city, scene):
    client.force_login(city.city_regulator)
    assert scene.owner_submitted.number in client.get(reverse("supervision:inspections")).content.decode()
    html = client.get(reverse("supervision:inspection_detail", args=[scene.target_inspection.pk])).content.decode()
    assert scene.target_inspection.number in html and "录入检查结果" not in html
    for url in manages(scene):
        assert client.get(url).status_code == 404, url
    for url, data in posts(scene)[:6] + posts(scene)[7:]:
        assert client.post(url, data).status_code == 404, url
    unchanged(scene)


def test_a_file_is_streamed_as_a_download_that_no_browser_sniffs(client, city, scene):
    client.force_login(city.county_regulator_a)
    response = client.get(reverse("supervision:attachment", args=[scene.attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    pdf = client.get(reverse("supervision:rectification_pdf", args=[scene.rectification.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment;") and pdf["X-Content-Type-Options"] == "nosniff"


def test_a_hostile_upload_through_the_page_is_refused_with_its_reason(client, city, scene, media):
    client.force_login(city.county_regulator_a)
    url = reverse("supervision:inspection_upload", args=[scene.target_inspection.pk])
    response = client.post(url, {"file": SimpleUploadedFile("photo.jpg", b"<html><script>x</script>")}, follow=True)
    assert "只接受 JPEG、PNG 图片或 PDF 文件" in response.content.decode()
    assert scene.target_inspection.attachments.count() == 1


def test_the_list_filters_and_its_queries_do_not_grow_with_its_rows(client, city, world, scene):
    client.force_login(city.county_regulator_a)
    url = reverse("supervision:inspections")
    html = client.get(url, {"status": "submitted"}).content.decode()
    assert scene.owner_submitted.number in html and scene.target_inspection.number not in html
    html = client.get(url, {"task": scene.target_inspection.task_id}).content.decode()
    assert scene.target_inspection.number in html and scene.owner_submitted.number not in html
    assert "状态无效" in client.get(url, {"status": "nope"}).content.decode()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for _i in range(4):
        inspections_start(city, world, organization=city.owner_a)
    assert queries() == before


def test_a_county_bureau_goes_from_a_drawn_target_to_a_closed_order_through_the_pages(client, city, world, day, media):
    draw = inspections_draw(city, world)
    target = draw.targets.order_by("stratum", "rank").first()
    dispenser = InstrumentFactory(owner=target.organization, name="燃油加油机")
    client.force_login(city.county_regulator_a)

    task_page = client.get(reverse("supervision:task_detail", args=[world.task.pk])).content.decode()
    start_url = reverse("supervision:inspection_create") + f"?target={target.pk}"
    assert start_url in task_page and "开始检查" in task_page
    form = client.get(start_url).content.decode()
    assert target.organization.name in form
    team = list(target.inspectors.values_list("pk", flat=True))
    response = client.post(start_url, {"inspected_on": "2026-12-02", "inspectors": team})
    inspection = Inspection.objects.get(drawn_target=target)
    assert response.status_code == 302 and response["Location"] == reverse(
        "supervision:inspection_detail", args=[inspection.pk]
    )
    assert inspection.number in client.get(reverse("supervision:task_detail", args=[world.task.pk])).content.decode()

    findings = {
        f"compliant_{finding.pk}": "no" if finding.code == "P03" else "yes" for finding in inspection.findings.all()
    }
    p03 = inspection.findings.get(code="P03")
    findings[f"note_{p03.pk}"] = "1号枪付油误差超差"
    assert client.post(reverse("supervision:inspection_findings", args=[inspection.pk]), findings).status_code == 302
    check = inspection.instrument_checks.get(instrument=dispenser)
    client.post(
        reverse("supervision:inspection_instrument", args=[inspection.pk]),
        {"check": check.pk, f"c{check.pk}-seal_intact": "yes", f"c{check.pk}-note": ""},
    )
    draw_url = reverse("supervision:inspection_draw", args=[inspection.pk])
    response = client.post(
        draw_url, {"indicated": "20", "actual": "19.90", "label": "1号枪 92#", "instrument": dispenser.pk}
    )
    assert response.status_code == 302
    upload = SimpleUploadedFile("现场照片.jpg", JPEG)
    client.post(reverse("supervision:inspection_upload", args=[inspection.pk]), {"file": upload})
    detail = client.get(reverse("supervision:inspection_detail", args=[inspection.pk])).content.decode()
    assert "+0.503" in detail and "±0.30" in detail and "不合格" in detail and "现场照片.jpg" in detail

    submit_url = reverse("supervision:inspection_submit", args=[inspection.pk])
    assert "data-confirm" in client.get(submit_url).content.decode()
    refused = client.post(submit_url, {"result": "no_problem"})
    assert refused.status_code == 200 and "不能为“未发现问题”" in refused.content.decode()
    assert client.post(submit_url, {"result": "ordered_to_correct", "summary": "付油误差超差"}).status_code == 302
    detail = client.get(reverse("supervision:inspection_detail", args=[inspection.pk])).content.decode()
    assert "2026-12-30" in detail and "发现问题已责令改正" in detail

    order_url = reverse("supervision:inspection_order", args=[inspection.pk])
    response = client.post(
        order_url, {"requirement": "停止使用1号枪，维修后重新检定", "deadline": "2026-12-17", "bases": ["JLXZ-46"]}
    )
    rectification = Rectification.objects.get(inspection=inspection)
    assert response["Location"] == reverse("supervision:rectification_detail", args=[rectification.pk])

    station = UserFactory(role=Role.OWNER, organization=target.organization)
    client.force_login(station)
    assert rectification.number in client.get(reverse("supervision:mine")).content.decode()
    reply_url = reverse("supervision:rectification_reply", args=[rectification.pk])
    response = client.post(
        reply_url,
        {"reply": "已维修并重新检定", "attachments": [SimpleUploadedFile("检定证书.pdf", PDF)]},
    )
    assert response.status_code == 302
    assert client.get(reply_url).status_code == 404  # replied: no second reply

    client.force_login(city.county_regulator_a)
    detail_url = reverse("supervision:rectification_detail", args=[rectification.pk])
    assert "检定证书.pdf" in client.get(detail_url).content.decode()
    recheck = reverse("supervision:rectification_recheck", args=[rectification.pk])
    client.post(recheck, {"passed": "yes", "recheck_on": "2026-12-02", "note": "已复查"})
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.CLOSED

    acts = list(AuditEvent.objects.filter(action__startswith=("inspection.")).values_list("action", "actor"))
    acts += list(AuditEvent.objects.filter(action__startswith="rectification.").values_list("action", "actor"))
    regulator, owner = city.county_regulator_a.pk, station.pk
    for action, actor in [
        ("inspection.start", regulator),
        ("inspection.finding", regulator),
        ("inspection.instrument_check", regulator),
        ("inspection.test_draw", regulator),
        ("inspection.attachment", regulator),
        ("inspection.submit", regulator),
        ("rectification.order", regulator),
        ("rectification.reply", owner),
        ("rectification.recheck", regulator),
    ]:
        assert (action, actor) in acts, action


def test_a_failed_recheck_offers_escalation_only_when_the_cases_area_is_there(client, city, scene):
    rectification = scene.rectification
    login = city.owner_a_user
    services.rectification_reply(actor=login, rectification_id=rectification.pk, reply="已整改")
    services.rectification_recheck(
        actor=city.county_regulator_a, rectification_id=rectification.pk, passed=False, note="公平秤仍未设置"
    )
    client.force_login(city.county_regulator_a)
    html = client.get(reverse("supervision:rectification_detail", args=[rectification.pk])).content.decode()
    assert "复查未通过" in html
    try:
        url = reverse("supervision:case_create")
    except Exception:  # the cases area is not installed on this branch
        assert 'id="escalate"' not in html
    else:
        assert f"{url}?rectification={rectification.pk}" in html


def test_starting_a_target_already_inspected_opens_its_inspection(client, city, scene):
    client.force_login(city.county_regulator_a)
    target = scene.target_inspection.drawn_target
    response = client.get(reverse("supervision:inspection_create") + f"?target={target.pk}")
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:inspection_detail", args=[scene.target_inspection.pk])


def test_an_owner_s_reply_with_a_hostile_file_is_refused_on_the_form_and_saves_nothing(client, city, scene, media):
    def files() -> int:
        return len([p for p in (media / "supervision").rglob("*") if p.is_file()])

    before = files()
    client.force_login(city.owner_a_user)
    url = reverse("supervision:rectification_reply", args=[scene.rectification.pk])
    svg = SimpleUploadedFile("evidence.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>')
    response = client.post(url, {"reply": "已整改", "attachments": [SimpleUploadedFile("ok.pdf", PDF), svg]})
    assert response.status_code == 200 and "只接受 JPEG、PNG 图片或 PDF 文件" in response.content.decode()
    assert Rectification.objects.get().status == Rectification.Status.ORDERED
    assert not Attachment.objects.filter(rectification=scene.rectification).exists()
    assert files() == before == 2


def test_an_ad_hoc_inspection_of_an_owner_outside_the_region_is_refused_on_the_form(client, city, world, day):
    client.force_login(city.county_regulator_a)
    url = reverse("supervision:inspection_create")
    data = {
        "credit_code": city.owner_b.credit_code,
        "inspected_on": "2026-12-02",
        "inspectors": [officer.pk for officer in world.inspectors[:2]],
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "本辖区内没有该统一社会信用代码的使用单位" in response.content.decode()
    assert not Inspection.objects.exists()
    response = client.post(url, {**data, "credit_code": city.owner_a.credit_code})
    assert response.status_code == 302 and Inspection.objects.get().organization == city.owner_a


def test_the_admin_reads_every_page_but_manages_nothing(client, city, scene):
    client.force_login(city.admin)
    for url in [*reads(scene), *lists()[::2]]:
        assert client.get(url).status_code == 200, url
    for url in manages(scene):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("supervision:inspection_create")).status_code == 404
