"""A failed instrument is stopped (issue 13, item 5): what the registry's pages, its export, the API and the owner's
home say about an instrument stopped as failed (the rule itself: tests/verification/test_failed_stop.py)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jiliang.instruments.models import Instrument

from ..builders.verification import issue_certificate

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def failed(bench):
    """Owner A's first price scale, failed three days ago; the second scale stays in use."""
    notice = issue_certificate(bench, passed=False, performed_on=bench.today - timedelta(days=3))
    return Instrument.objects.get(pk=bench.instruments[0].pk), notice


def test_the_detail_page_says_why_and_since_when_with_the_notice_number(client, city, failed):
    scale, notice = failed
    for user in (city.owner_a_user, city.county_regulator_a, city.city_regulator):
        page = login(client, user).get(reverse("instruments:detail", args=[scale.pk])).content.decode()
        assert "停用（检定不合格）" in page
        assert f"自 {scale.stopped_on:%Y-%m-%d} 起停用" in page
        assert notice.number in page
        assert reverse("certificates:detail", args=[notice.pk]) in page


def test_the_detail_page_offers_scrapping_but_not_back_in_use(client, city, failed):
    scale, _notice = failed
    page = login(client, city.owner_a_user).get(reverse("instruments:detail", args=[scale.pk])).content.decode()
    assert 'value="scrapped"' in page
    assert 'value="in_use"' not in page


def test_posting_back_in_use_is_refused_and_the_instrument_stays_stopped(client, city, failed):
    scale, _notice = failed
    response = login(client, city.owner_a_user).post(
        reverse("instruments:status", args=[scale.pk]), {"status": "in_use", "reason": "已修好"}
    )
    assert response.status_code == 200
    assert Instrument.objects.get(pk=scale.pk).stopped_as_failed


def test_an_owners_own_stop_shows_its_day_and_no_notice(client, city, bench):
    from jiliang.instruments.services import instrument_set_status

    scale = bench.instruments[1]
    instrument_set_status(actor=city.owner_a_user, instrument_id=scale.pk, status="stopped", reason="送修")
    page = login(client, city.owner_a_user).get(reverse("instruments:detail", args=[scale.pk])).content.decode()
    assert "停用（检定不合格）" not in page
    assert f"自 {bench.today:%Y-%m-%d} 起停用" in page


def test_the_list_says_stopped_as_failed_and_filters_on_it(client, city, failed):
    scale, _notice = failed
    page = login(client, city.owner_a_user).get(reverse("instruments:list")).content.decode()
    assert "停用（检定不合格）" in page
    assert 'class="badge due-failed">检定不合格<' in page
    only = login(client, city.county_regulator_a).get(reverse("instruments:list"), {"status": "failed"})
    rows = [row.instrument for row in only.context["page"].rows]
    assert rows == [scale]
    stopped = login(client, city.county_regulator_a).get(reverse("instruments:list"), {"status": "stopped"})
    assert [row.instrument for row in stopped.context["page"].rows] == [scale]


def test_the_failed_filter_stays_within_the_scope(client, city, failed):
    for user in (city.county_regulator_b, city.owner_b_user):
        response = login(client, user).get(reverse("instruments:list"), {"status": "failed"})
        assert list(response.context["page"].rows) == []


def test_the_export_and_the_api_say_the_same(client, city, failed, api):
    scale, _notice = failed
    response = login(client, city.owner_a_user).get(reverse("instruments:export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "停用（检定不合格）" in values and "检定不合格" in values
    body = api(city.owner_a_user).get(f"/api/v1/instruments/{scale.pk}").json()
    assert (body["status"], body["status_label"]) == ("stopped", "停用（检定不合格）")


def test_the_owners_home_lists_its_failed_instruments_apart(client, city, failed):
    scale, notice = failed
    response = login(client, city.owner_a_user).get(reverse("home"))
    page = response.content.decode()
    assert 'data-testid="kpi-failed"' in page
    assert 'data-testid="list-failed"' in page
    assert notice.number in page and scale.serial_number in page
    # Not in use: out of the due-state tiles (it is neither valid nor overdue any more).
    assert response.context["mandatory_total"] == 1


def test_another_owners_home_shows_nothing_failed(client, city, failed):
    page = login(client, city.owner_b_user).get(reverse("home")).content.decode()
    assert 'data-testid="kpi-failed"' not in page and 'data-testid="list-failed"' not in page


def test_the_history_tells_the_stop_in_words_with_the_notice_number(client, city, failed):
    scale, notice = failed
    page = login(client, city.owner_a_user).get(reverse("instruments:detail", args=[scale.pk])).content.decode()
    history = page[page.index('id="history"') :]
    assert "检定不合格，停用" in history
    assert f"检定结果通知书：{notice.number}" in history
    assert "停用原因：<del>—</del> → 检定不合格" in history
    assert "failed_verification" not in page
