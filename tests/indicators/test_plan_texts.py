"""No page of the UI shows a definition's code name, and no page of the Chinese UI shows a traditional character
from the plans (issue 14, item 3).

The plans' quotes were typed from a traditional-character reprint of the Yan'an plan; ``data/plans.json`` carries
them converted to simplified characters (``manage.py plans_simplify``, OpenCC) with the wording as quoted kept in
``*_original`` fields that no page shows. The pages checked are the plan list, both plans' dashboards, every
indicator's page, the evaluation list, the early-warning list, the home page, the public disclosure pages, and the
text of an evaluation's PDF and .xlsx.
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from jiliang.indicators.management.commands import plans_simplify
from jiliang.indicators.models import Definition, Indicator, Plan
from tests.builders.indicators import SHIPPED, make_evaluation, pdf_text, take_snapshots

pytestmark = pytest.mark.django_db

# The characters of the traditional-character seed of the Yan'an plan (shared/seeds/002_402e5c60cf014948.txt) that
# OpenCC 1.4.2 ``t2s`` changes when converting one character at a time, computed when this test was written:
#     {ch for ch in seed if OpenCC("t2s").convert(ch) != ch} | {"陜"}
# 陜 is added by hand: a variant of 陝 that OpenCC leaves alone (plans_simplify.CORRECTIONS). 著 is not here: it is
# also a simplified character (著作), though the seed's 著力/著眼 are written 着 (the same corrections).
TRADITIONAL = frozenset(
    "個們備傳價儀優儲內冊別創劃動務勞勢勵區協參員問單嚴國圍團執堅報場塊壓壘壽娛學實審將專對導層屬師帶庫廠廣強從復徹態應戰揚揮"
    "撐據擴攜攬數時會桿條業極構樁樂標機橫檢歸氣決況減測準滿潔澇濟災為無煉煙熱營爭現環產療發監眾確礎礦稅種稱積穩競節籌糧納級細"
    "組結絡給統經綜綠綱網緊線縣總績織繞續聯聲職臺與興舉蓋藝藥蘋處號術衛補裝見規視觀訂計訓設訴評試認誠調請論諾證識議護變財貫責"
    "費貿資質購賽蹤車軍輔輸輻輿轄轉辦農進運過達遞遠適鄉醫銜銷錄鍵鏈鏡鑒長門開關陜隊際隨險雙難電響項預領題類顯風飲養驅驗體點齊"
)

# The definitions' codes as a user could read them. "coverage" alone is an English word the English names use
# ("Verification coverage of mandatory instruments"), so only the codes with an underscore are looked for.
CODES = sorted(code for code in Definition.values if "_" in code)

# Attributes whose text a user reads (tooltips, labels for screen readers, placeholders).
SHOWN_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


class _Visible(HTMLParser):
    """The text a page shows: the text outside scripts and styles, and the attributes a user reads."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in SHOWN_ATTRIBUTES and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def assert_clean(text: str, where: str, *, chinese: bool = True) -> None:
    shown_codes = [code for code in CODES if code in text]
    assert not shown_codes, f"{where} shows definition codes {shown_codes}"
    if chinese:
        shown = sorted({ch for ch in text if ch in TRADITIONAL})
        assert not shown, f"{where} shows traditional characters {''.join(shown)}"


def page_urls() -> list[str]:
    urls = [reverse("home"), reverse("plans:list"), reverse("evaluations:list"), reverse("warnings:list")]
    for code in SHIPPED:
        urls.append(reverse("plans:detail", args=[code]))
        urls.extend(reverse("plans:indicator", args=[code, i.code]) for i in Indicator.objects.filter(plan__code=code))
    return urls


@pytest.fixture
def evaluation(city):
    take_snapshots(city)
    return make_evaluation(city, publish=True)


def test_the_shipped_plans_are_stored_in_simplified_characters_with_the_quoted_wording_kept(db):
    yanan = Plan.objects.get(code="yanan-2021")
    assert yanan.source_title == "贯彻落实《计量发展规划(2021—2035年)》实施方案"
    assert yanan.source_title_original == "貫徹落實《計量發展規劃(2021—2035年)》實施方案"
    coverage = yanan.indicators.get(code="coverage")
    assert coverage.clause_quote == "全市强检计量器具检定覆盖率达到90%"
    assert coverage.clause_quote_original == "全市強檢計量器具檢定覆蓋率達到90%"
    assert coverage.clause == "一、发展目标（到2025年）"
    # Fuxin's plan was issued and quoted in simplified characters: nothing kept beside it.
    assert not Plan.objects.get(code="fuxin-2015").source_title_original
    assert not Indicator.objects.filter(plan__code="fuxin-2015").exclude(clause_quote_original="").exists()
    for plan in Plan.objects.filter(code__in=SHIPPED):
        assert_clean(plan.name + plan.source_title + plan.note, plan.code)
        for i in plan.indicators.all():
            assert_clean(" ".join((i.name, i.clause, i.clause_quote, i.note)), f"{plan.code}/{i.code}")


@pytest.mark.parametrize("persona", ["city_regulator", "admin", "institute_user", "owner_a_user"])
def test_no_page_of_the_chinese_ui_shows_a_code_name_or_a_traditional_character(client, city, evaluation, persona):
    client.force_login(getattr(city, persona))
    seen = 0
    for url in page_urls():
        response = client.get(url)
        if response.status_code != 200:  # a page this persona may not open (the outsider tests say which)
            continue
        seen += 1
        assert_clean(visible_text(response.content.decode()), url)
    assert seen >= 4


def test_no_page_of_the_english_ui_shows_a_code_name(client, city, evaluation):
    client.force_login(city.city_regulator)
    for url in page_urls():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, url
        assert_clean(visible_text(response.content.decode()), url, chinese=False)


def test_the_public_disclosure_pages_show_neither(client, evaluation):
    for url in (reverse("disclosure:index"), reverse("disclosure:detail", args=[evaluation.pk])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(visible_text(response.content.decode()), url)


def test_the_evaluation_report_pdf_and_xlsx_show_neither(evaluation):
    text = pdf_text(evaluation.pdf)
    assert "强检计量器具检定覆盖率" in text  # the PDF's text can be read at all
    assert_clean(text, "the PDF")
    wb = load_workbook(io.BytesIO(bytes(evaluation.xlsx)))
    cells = "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    assert "全市强检计量器具检定覆盖率达到90%" in cells
    assert_clean(cells, "the .xlsx")


def test_the_conversion_is_stable_and_keeps_the_quoted_wording(tmp_path, monkeypatch):
    """The committed file is what ``plans_simplify`` writes (run when OpenCC is installed: ``.[tools]``)."""
    pytest.importorskip("opencc")
    target = tmp_path / "plans.json"
    target.write_text(plans_simplify.DATA.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(plans_simplify, "DATA", target)
    call_command("plans_simplify", "--check", stdout=io.StringIO())
    # From the traditional wording alone, the command gives the committed file back.
    data = json.loads(target.read_text(encoding="utf-8"))
    yanan = next(p for p in data["plans"] if p["code"] == "yanan-2021")
    yanan["source_title"] = yanan.pop("source_title_original")
    for item in yanan["indicators"]:
        item["clause_quote"] = item.pop("clause_quote_original")
    target.write_text(plans_simplify.dump(data), encoding="utf-8")
    call_command("plans_simplify", stdout=io.StringIO())
    assert target.read_text(encoding="utf-8") == plans_simplify.DATA.read_text(encoding="utf-8")


def test_the_corrections_fix_what_opencc_leaves():
    unchanged = lambda text: text  # noqa: E731 - OpenCC's answer on these words: it changes none of them
    assert plans_simplify.simplify("著力点，著眼长远，陜西省，著作", unchanged) == "着力点，着眼长远，陕西省，著作"
