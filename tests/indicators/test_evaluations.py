"""Evaluation reports: who may make and publish one, what the .xlsx and the PDF hold, the command, the pages.

Snapshots are written by hand (``tests.builders.indicators.take_snapshots``; the definitions have tests of their
own): every indicator of both shipped plans for the city on three quarter ends of 2025, the counties on the last one,
one entered figure with its source, and one indicator left without a figure.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent, Organization, Region, Role
from jiliang.indicators.models import Evaluation, Indicator, Plan
from jiliang.indicators.selectors import evaluations as evaluation_selectors
from jiliang.indicators.services import evaluations
from tests.builders.indicators import EVALUATION_DAY, SHIPPED, make_evaluation, pdf_text, take_snapshots
from tests.factories import OrganizationFactory, UserFactory, credit_code

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "reports"


def other_city():
    """A second city (延安市) with its own city bureau regulator."""
    region = Region.objects.create(code="610600", name="延安市", level=Region.Level.CITY)
    bureau = OrganizationFactory(
        name="延安市市场监督管理局", kind=Organization.Kind.REGULATOR, region=region, credit_code=credit_code()
    )
    return region, UserFactory(username="yanan_reg", role=Role.REGULATOR, organization=bureau)


def shipped_indicator_names() -> dict[str, list[str]]:
    return {
        code: list(Indicator.objects.filter(plan__code=code).order_by("order").values_list("name", flat=True))
        for code in SHIPPED
    }


@pytest.fixture
def snapshots(city):
    take_snapshots(city)
    return city


# ---- services: who --------------------------------------------------------------------------------------------


def test_city_regulator_makes_a_report_of_both_plans_with_an_audit_event(snapshots):
    city = snapshots
    evaluation = make_evaluation(city)
    assert evaluation.city == city.city
    assert evaluation.title == "阜新市计量发展规划中期评估报告"
    assert evaluation.created_by == city.city_regulator
    assert evaluation.published_at is None
    assert [p["code"] for p in evaluation.figures["plans"]] == list(SHIPPED)
    assert bytes(evaluation.pdf).startswith(b"%PDF")
    assert bytes(evaluation.xlsx).startswith(b"PK")
    event = AuditEvent.objects.get(action=evaluations.ACTION_CREATE)
    assert event.actor == city.city_regulator
    assert event.object_id == str(evaluation.pk)
    assert event.changes["day"] == "2025-12-31"
    assert event.changes["plans"] == list(SHIPPED)
    assert len(event.changes["pdf_sha256"]) == 64


def test_admin_makes_a_report_for_the_city_it_chooses(snapshots):
    city = snapshots
    other_city()
    evaluation = evaluations.evaluation_create(
        actor=city.admin, kind=Evaluation.Kind.FINAL, day=EVALUATION_DAY, city=city.city
    )
    assert evaluation.title == "阜新市计量发展规划总结评估报告"
    with pytest.raises(DomainError):  # two cities: the admin must say which
        evaluations.evaluation_create(actor=city.admin, kind=Evaluation.Kind.FINAL, day=EVALUATION_DAY)


@pytest.mark.parametrize("persona", ["county_regulator_a", "county_regulator_b", "institute", "owner_a", "owner_b"])
def test_only_city_regulators_and_the_admin_make_reports(snapshots, persona):
    city = snapshots
    with pytest.raises(NotFoundOrForbidden):
        evaluations.evaluation_create(actor=city.personas[persona], kind="mid_term", day=EVALUATION_DAY)
    with pytest.raises(NotFoundOrForbidden):
        evaluations.evaluation_create(actor=city.personas[persona], kind="mid_term", day=EVALUATION_DAY, city=city.city)
    assert not Evaluation.objects.exists()
    assert not AuditEvent.objects.filter(action=evaluations.ACTION_CREATE).exists()


def test_anonymous_user_makes_no_report(snapshots):
    with pytest.raises(NotFoundOrForbidden):
        evaluations.evaluation_create(actor=AnonymousUser(), kind="mid_term", day=EVALUATION_DAY, city=snapshots.city)


def test_regulator_of_another_city_cannot_report_on_or_publish_this_city(snapshots):
    city = snapshots
    _, yanan_regulator = other_city()
    with pytest.raises(NotFoundOrForbidden):
        evaluations.evaluation_create(actor=yanan_regulator, kind="mid_term", day=EVALUATION_DAY, city=city.city)
    evaluation = make_evaluation(city)
    with pytest.raises(NotFoundOrForbidden):
        evaluations.evaluation_publish(actor=yanan_regulator, evaluation_id=evaluation.pk)
    assert list(evaluation_selectors.evaluations_visible_to(yanan_regulator)) == []


def test_a_report_needs_a_snapshot_a_past_day_and_a_known_kind(city):
    with pytest.raises(DomainError, match="尚无指标快照"):
        evaluations.evaluation_create(actor=city.city_regulator, kind="mid_term", day=EVALUATION_DAY)
    take_snapshots(city)
    with pytest.raises(DomainError, match="不得晚于今天"):
        evaluations.evaluation_create(
            actor=city.city_regulator, kind="mid_term", day=timezone.localdate() + timedelta(days=1)
        )
    with pytest.raises(DomainError, match="评估类型"):
        evaluations.evaluation_create(actor=city.city_regulator, kind="weekly", day=EVALUATION_DAY)
    assert not Evaluation.objects.exists()


# ---- services: publishing -----------------------------------------------------------------------------------------


def test_publishing_sets_who_and_when_once_and_is_audited(snapshots):
    city = snapshots
    evaluation = make_evaluation(city)
    published = evaluations.evaluation_publish(actor=city.city_regulator, evaluation_id=evaluation.pk)
    assert published.published_at is not None
    assert published.published_by == city.city_regulator
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.published_at == published.published_at
    assert bytes(stored.pdf) == bytes(evaluation.pdf)  # the files are untouched
    assert AuditEvent.objects.filter(action=evaluations.ACTION_PUBLISH, object_id=str(evaluation.pk)).count() == 1
    with pytest.raises(DomainError) as refused:
        evaluations.evaluation_publish(actor=city.admin, evaluation_id=evaluation.pk)
    assert refused.value.code == "conflict"
    assert AuditEvent.objects.filter(action=evaluations.ACTION_PUBLISH).count() == 1
    assert list(evaluation_selectors.published_evaluations()) == [stored]


@pytest.mark.parametrize("persona", ["county_regulator_a", "institute", "owner_a"])
def test_outsiders_cannot_publish(snapshots, persona):
    evaluation = make_evaluation(snapshots)
    with pytest.raises(NotFoundOrForbidden):
        evaluations.evaluation_publish(actor=snapshots.personas[persona], evaluation_id=evaluation.pk)
    with pytest.raises(NotFoundOrForbidden):
        evaluations.evaluation_publish(actor=AnonymousUser(), evaluation_id=evaluation.pk)
    assert Evaluation.objects.get(pk=evaluation.pk).published_at is None


def test_reports_are_listed_for_the_city_bureau_and_the_admin_only(snapshots):
    city = snapshots
    evaluation = make_evaluation(city)
    assert list(evaluation_selectors.evaluations_visible_to(city.city_regulator)) == [evaluation]
    assert list(evaluation_selectors.evaluations_visible_to(city.admin)) == [evaluation]
    for persona in ("county_regulator_a", "county_regulator_b", "institute", "owner_a", "owner_b", "anonymous"):
        assert list(evaluation_selectors.evaluations_visible_to(city.personas[persona])) == []
    with pytest.raises(NotFoundOrForbidden):
        evaluation_selectors.evaluation_get(city.county_regulator_a, evaluation.pk)
    assert evaluation_selectors.evaluation_get(city.city_regulator, evaluation.pk).pk == evaluation.pk
    assert list(evaluation_selectors.published_evaluations()) == []


# ---- what the files hold ------------------------------------------------------------------------------------------


def test_xlsx_holds_every_indicator_of_both_shipped_plans(snapshots):
    evaluation = make_evaluation(snapshots)
    wb = load_workbook(io.BytesIO(bytes(evaluation.xlsx)))
    assert wb.sheetnames == ["概况", *SHIPPED]
    summary = [[c for c in row if c is not None] for row in wb["概况"].iter_rows(values_only=True)]
    assert ["城市", "阜新市"] in summary
    assert ["评估类型", "中期评估"] in summary
    total = next(row for row in summary if row and row[0] == "合计")
    assert total[1] == 25  # 17 + 8 indicators
    assert total[-1] == 1  # one without a figure
    for code, names in shipped_indicator_names().items():
        ws = wb[code]
        column_b = [row[1] for row in ws.iter_rows(min_row=6, values_only=True)]
        for name in names:
            assert name in column_b, (code, name)
        header = [c for c in next(ws.iter_rows(min_row=5, max_row=5, values_only=True))]
        assert header[:7] == ["序号", "指标", "口径", "口径说明", "目标", "期限", "数值"]
        # The county breakdown below, one column per county.
        texts = {c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
        assert {"分县（区）情况", "甲县", "乙县"} <= texts
    fuxin = {row[1]: row for row in wb["fuxin-2015"].iter_rows(min_row=6, max_row=22, values_only=True)}
    model_units = fuxin["诚信计量示范单位"]
    assert model_units[4] == "≥ 30 家"
    assert model_units[6] == 32
    assert model_units[10] == "已达标"
    assert model_units[12] == "录入：阜新市诚信计量示范单位名单（2025年）（2025-12-05）"
    assert fuxin["在用强检计量器具受检率"][12] == "计算：系统记录"
    yanan = {row[1]: row for row in wb["yanan-2021"].iter_rows(min_row=6, max_row=13, values_only=True)}
    assert yanan["市级最高计量标准"][10] == "暂无数据"


def test_xlsx_text_that_looks_like_a_formula_stays_text(snapshots):
    city = snapshots
    plan = Plan.objects.create(
        code="city-2026",
        name='=HYPERLINK("http://x")',
        region=city.city,
        period_start=2024,
        period_end=2030,
        source_title="本市计划",
        source_issuer="市人民政府",
    )
    Indicator.objects.create(
        plan=plan,
        code="x",
        name="=1+1",
        definition="model_units",
        target=Decimal("5"),
        unit="units",
        deadline=date(2030, 12, 31),
        clause="一",
    )
    wb = load_workbook(io.BytesIO(bytes(make_evaluation(city).xlsx)))
    ws = wb["city-2026"]
    assert ws["A1"].value == '\'=HYPERLINK("http://x")'
    assert ws["B6"].value == "'=1+1"
    assert ws["B6"].data_type == "s"


def test_pdf_text_holds_the_chinese_indicator_names_and_is_saved_as_an_image(snapshots):
    evaluation = make_evaluation(snapshots)
    reader = PdfReader(io.BytesIO(bytes(evaluation.pdf)))
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4
    text = pdf_text(evaluation.pdf)
    assert "阜新市计量发展规划中期评估报告" in text
    assert "评估基准日：2025年12月31日" in text
    for names in shipped_indicator_names().values():
        for name in names:
            assert name.replace(" ", "") in text, name
    assert "目标完成程度" in text and "变化趋势" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("NotoSansSC" in f for f in fonts)
    # The first pages as PNG, for a person to look at (artifacts/ is git-ignored).
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        source = ARTIFACTS / "evaluation.pdf"
        source.write_bytes(bytes(evaluation.pdf))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(source), str(ARTIFACTS / "evaluation")],
            check=True,
        )
        assert any(ARTIFACTS.glob("evaluation-*1.png"))


def test_figures_are_json_with_decimals_as_strings(snapshots):
    evaluation = make_evaluation(snapshots)
    figures = json.loads(json.dumps(evaluation.figures))
    assert figures["version"] == 1
    assert figures["city"] == {"code": "210900", "name": "阜新市"}
    assert figures["counts"]["no_data"] == 1
    yanan = next(p for p in figures["plans"] if p["code"] == "yanan-2021")
    coverage = next(i for i in yanan["indicators"] if i["code"] == "coverage")
    assert coverage["target"] == "90.00"
    assert coverage["unit"] == "percent" and coverage["comparator"] == "gte"
    assert coverage["deadline"] == "2025-12-31"
    assert Decimal(coverage["value"]) > 0
    assert {c["name"] for c in coverage["counties"]} == {"甲县", "乙县"}
    fuxin = next(p for p in figures["plans"] if p["code"] == "fuxin-2015")
    model_units = next(i for i in fuxin["indicators"] if i["code"] == "model-units")
    assert model_units["value"] == "32.00"
    assert model_units["status"] == "met"
    assert model_units["entered"]["source_title"] == "阜新市诚信计量示范单位名单（2025年）"


def test_report_reads_the_latest_snapshot_on_or_before_its_day(snapshots):
    city = snapshots
    evaluation = evaluations.evaluation_create(actor=city.city_regulator, kind="annual", day=date(2025, 10, 15))
    assert {p["snapshot_day"] for p in evaluation.figures["plans"]} == {"2025-09-30"}
    assert evaluation.day == date(2025, 10, 15)


# ---- the command --------------------------------------------------------------------------------------------------


def test_command_writes_the_files_and_publishes(snapshots, tmp_path):
    out = io.StringIO()
    args = ["--date", "2025-12-31", "--kind", "final", "--city", "210900", "--out", str(tmp_path), "--publish"]
    call_command("evaluation_report", *args, stdout=out)
    evaluation = Evaluation.objects.get()
    assert evaluation.kind == Evaluation.Kind.FINAL
    assert evaluation.created_by is None and evaluation.published_at is not None
    stem = tmp_path / "evaluation-210900-2025-12-31-final"
    assert Path(f"{stem}.pdf").read_bytes() == bytes(evaluation.pdf)
    load_workbook(f"{stem}.xlsx")
    text = out.getvalue()
    assert "已生成《阜新市计量发展规划总结评估报告》" in text
    assert "25 项指标" in text and "已公开" in text
    event = AuditEvent.objects.get(action=evaluations.ACTION_PUBLISH)
    assert event.actor is None


def test_command_without_publish_leaves_the_report_unpublished(snapshots):
    call_command("evaluation_report", "--date", "2025-12-31", stdout=io.StringIO())
    assert Evaluation.objects.get().published_at is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2025-13-01"], "YYYY-MM-DD"),
        (["--date", "2025-12-31", "--city", "999999"], "999999"),
        (["--date", "2015-01-01"], "尚无指标快照"),
    ],
)
def test_command_explains_a_bad_date_or_city(snapshots, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("evaluation_report", *args, stdout=io.StringIO())
    assert not Evaluation.objects.exists()


# ---- the pages ----------------------------------------------------------------------------------------------------


def test_list_page_shows_the_form_and_the_reports(client, snapshots):
    evaluation = make_evaluation(snapshots)
    client.force_login(snapshots.city_regulator)
    response = client.get(reverse("evaluations:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("evaluations:new") in html
    assert evaluation.title in html
    assert reverse("evaluations:publish", args=[evaluation.pk]) in html


def test_the_button_makes_a_report(client, snapshots):
    client.force_login(snapshots.city_regulator)
    response = client.post(reverse("evaluations:new"), {"kind": "mid_term", "day": "2025-12-31"}, follow=True)
    assert response.status_code == 200
    evaluation = Evaluation.objects.get()
    assert evaluation.created_by == snapshots.city_regulator
    assert "已生成《阜新市计量发展规划中期评估报告》" in response.content.decode()


def test_the_button_explains_a_refusal(client, city):
    client.force_login(city.city_regulator)
    response = client.post(reverse("evaluations:new"), {"kind": "mid_term", "day": "2025-12-31"}, follow=True)
    assert "尚无指标快照" in response.content.decode()
    response = client.post(reverse("evaluations:new"), {"kind": "mid_term", "day": "not a day"}, follow=True)
    assert response.status_code == 200
    assert not Evaluation.objects.exists()


def test_admin_chooses_the_city_on_the_form(client, snapshots):
    client.force_login(snapshots.admin)
    assert 'name="city"' in client.get(reverse("evaluations:list")).content.decode()
    client.post(reverse("evaluations:new"), {"kind": "annual", "day": "2025-12-31", "city": snapshots.city.pk})
    assert Evaluation.objects.get().city == snapshots.city


def test_downloads_are_attachments_with_chinese_file_names(client, snapshots):
    evaluation = make_evaluation(snapshots)
    client.force_login(snapshots.city_regulator)
    pdf = client.get(reverse("evaluations:pdf", args=[evaluation.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == bytes(evaluation.pdf)
    disposition = pdf["Content-Disposition"]
    assert disposition.startswith('attachment; filename="evaluation-210900-2025-12-31-mid_term.pdf"')
    assert "filename*=UTF-8''" + quote("阜新市计量发展规划中期评估报告-2025-12-31.pdf") in disposition
    xlsx = client.get(reverse("evaluations:xlsx", args=[evaluation.pk]))
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    load_workbook(io.BytesIO(xlsx.content))


def test_publish_button_publishes_once(client, snapshots):
    evaluation = make_evaluation(snapshots)
    client.force_login(snapshots.city_regulator)
    response = client.post(reverse("evaluations:publish", args=[evaluation.pk]), follow=True)
    assert "已在信息公开页面公开" in response.content.decode()
    assert Evaluation.objects.get(pk=evaluation.pk).published_at is not None
    response = client.post(reverse("evaluations:publish", args=[evaluation.pk]), follow=True)
    assert "不能重复公开" in response.content.decode()


@pytest.mark.parametrize("persona", ["county_regulator_a", "county_regulator_b", "institute", "owner_a", "owner_b"])
def test_outsiders_get_404_on_every_evaluation_page(client, snapshots, persona):
    evaluation = make_evaluation(snapshots)
    client.force_login(snapshots.personas[persona])
    assert client.get(reverse("evaluations:list")).status_code == 404
    assert client.post(reverse("evaluations:new"), {"kind": "mid_term", "day": "2025-12-31"}).status_code == 404
    assert client.get(reverse("evaluations:pdf", args=[evaluation.pk])).status_code == 404
    assert client.get(reverse("evaluations:xlsx", args=[evaluation.pk])).status_code == 404
    assert client.post(reverse("evaluations:publish", args=[evaluation.pk])).status_code == 404
    assert Evaluation.objects.count() == 1 and Evaluation.objects.get().published_at is None


def test_another_citys_regulator_gets_404_on_this_citys_report(client, snapshots):
    evaluation = make_evaluation(snapshots)
    _, yanan_regulator = other_city()
    client.force_login(yanan_regulator)
    assert client.get(reverse("evaluations:pdf", args=[evaluation.pk])).status_code == 404
    assert client.post(reverse("evaluations:publish", args=[evaluation.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, snapshots):
    evaluation = make_evaluation(snapshots)
    for url in (reverse("evaluations:list"), reverse("evaluations:pdf", args=[evaluation.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_stored_report_is_never_edited_or_deleted_only_published_once(snapshots):
    from jiliang.indicators.models import EvaluationEditError

    evaluation = make_evaluation(snapshots)
    evaluation.title = "改过的标题"
    with pytest.raises(EvaluationEditError):
        evaluation.save()
    with pytest.raises(EvaluationEditError):
        evaluation.delete()
    with pytest.raises(EvaluationEditError):
        Evaluation.objects.filter(pk=evaluation.pk).update(title="x")
    with pytest.raises(EvaluationEditError):
        Evaluation.objects.filter(pk=evaluation.pk).delete()
    published = make_evaluation(snapshots, publish=True)
    published.published_at = timezone.now()
    with pytest.raises(EvaluationEditError):
        published.save(update_fields=["published_at", "published_by"])
    assert Evaluation.objects.get(pk=evaluation.pk).title != "改过的标题"
