"""Public disclosure (/open/): anyone, without logging in, sees the published evaluation reports and their figures
and downloads their files; an unpublished report is not there (404, like a missing one)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiliang.indicators.models import Indicator
from tests.builders.indicators import SHIPPED, make_evaluation, pdf_text, take_snapshots

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(city):
    """One published and one unpublished report of the city."""
    take_snapshots(city)
    published = make_evaluation(city, publish=True)
    unpublished = make_evaluation(city, kind="annual")
    return published, unpublished


def test_anonymous_visitor_sees_published_reports_with_their_figures(client, reports):
    published, unpublished = reports
    response = client.get(reverse("disclosure:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "阜新市" in html
    assert reverse("disclosure:detail", args=[published.pk]) in html
    assert reverse("disclosure:detail", args=[unpublished.pk]) not in html
    assert "年度评估" not in html  # the unpublished report's kind
    for name in Indicator.objects.filter(plan__code__in=SHIPPED).values_list("name", flat=True):
        assert name in html
    assert "≥ 30 家" in html and "32 家" in html  # model units: target and the entered figure
    assert "录入：阜新市诚信计量示范单位名单（2025年）（2025-12-05）" in html


def test_index_without_published_reports_says_so(client, city):
    response = client.get(reverse("disclosure:index"))
    assert response.status_code == 200
    assert "尚无公开的评估报告" in response.content.decode()


def test_one_published_report_shows_its_figures(client, reports):
    published, _ = reports
    response = client.get(reverse("disclosure:detail", args=[published.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert published.title in html
    assert 'data-code="coverage"' in html
    assert "暂无数据" in html  # highest standards has no figure
    assert reverse("disclosure:pdf", args=[published.pk]) in html


def test_unpublished_report_is_not_found(client, reports):
    _, unpublished = reports
    for name in ("disclosure:detail", "disclosure:pdf", "disclosure:xlsx"):
        assert client.get(reverse(name, args=[unpublished.pk])).status_code == 404
    assert client.get(reverse("disclosure:detail", args=[unpublished.pk + 1000])).status_code == 404


def test_published_report_downloads(client, reports):
    published, _ = reports
    pdf = client.get(reverse("disclosure:pdf", args=[published.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment; ")
    assert "诚信计量示范单位" in pdf_text(pdf.content)
    xlsx = client.get(reverse("disclosure:xlsx", args=[published.pk]))
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["概况", *SHIPPED]


def test_disclosure_pages_take_no_post(client, reports):
    published, _ = reports
    assert client.post(reverse("disclosure:index")).status_code == 405
    assert client.post(reverse("disclosure:detail", args=[published.pk])).status_code == 405


def test_check_page_links_to_the_disclosure(client, city):
    assert reverse("disclosure:index") in client.get(reverse("portal:index")).content.decode()
