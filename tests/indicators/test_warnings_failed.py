"""The early warning "failed and not dealt with" (检定不合格逾期未处理, issue 13 item 5): an instrument stopped as failed
for ``JILIANG_FAILED_RESOLVE_DAYS`` days, neither verified again with a pass nor scrapped; scoped like the other
warnings (the owner, its county's regulators, the city and the admin; never an institute or another county)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from jiliang.core import clock
from jiliang.indicators.selectors.warnings import WarningKind, warning_counts, warnings_for
from jiliang.instruments.services import instrument_set_status

from ..builders.verification import issue_certificate

pytestmark = pytest.mark.django_db

K = WarningKind.FAILED_UNRESOLVED


@pytest.fixture
def failed(bench, settings):
    """Owner A's first price scale (county A) failed 3 days before the bench's today; 30 days allowed."""
    settings.JILIANG_FAILED_RESOLVE_DAYS = 30
    notice = issue_certificate(bench, passed=False, performed_on=bench.today - timedelta(days=3))
    return notice.record.performed_on


def _rows(user, day):
    return [r for r in warnings_for(user, today=day).rows if r.kind == K]


def test_the_warning_appears_once_the_days_have_passed_and_not_before(city, failed):
    assert _rows(city.county_regulator_a, failed + timedelta(days=29)) == []
    assert warning_counts(city.county_regulator_a, today=failed + timedelta(days=29))[K] == 0
    [row] = _rows(city.county_regulator_a, failed + timedelta(days=30))
    assert (row.actor, row.count, row.region, row.due) == ("甲县农贸市场", 1, "甲县", failed + timedelta(days=30))
    assert "检定不合格停用已满 30 天" in row.what
    assert row.url.endswith(f"?owner={city.owner_a.pk}&status=failed")
    assert warning_counts(city.county_regulator_a, today=failed + timedelta(days=30))[K] == 1


def test_the_days_are_a_setting_read_at_call_time(city, failed, settings):
    settings.JILIANG_FAILED_RESOLVE_DAYS = 5
    assert _rows(city.city_regulator, failed + timedelta(days=4)) == []
    assert len(_rows(city.city_regulator, failed + timedelta(days=5))) == 1


def test_a_pass_or_scrapping_ends_the_warning(city, bench, failed):
    later = failed + timedelta(days=40)
    assert len(_rows(city.owner_a_user, later)) == 1
    issue_certificate(bench, passed=True)
    assert _rows(city.owner_a_user, later) == []
    issue_certificate(bench, item=1, passed=False, performed_on=bench.today - timedelta(days=1))
    assert len(_rows(city.owner_a_user, later)) == 1
    instrument_set_status(
        actor=city.owner_a_user, instrument_id=bench.instruments[1].pk, status="scrapped", reason="无法修复"
    )
    assert _rows(city.owner_a_user, later) == []


def test_who_gets_it(city, failed):
    later = failed + timedelta(days=31)
    for user in (city.owner_a_user, city.county_regulator_a, city.city_regulator, city.admin):
        assert warning_counts(user, today=later)[K] == 1, user
    # The same role in another county or organization gets the kind but nothing of county A.
    for user in (city.county_regulator_b, city.owner_b_user):
        assert warning_counts(user, today=later)[K] == 0, user
        assert _rows(user, later) == []
    # An institute does not act on an owner's instruments; anonymous gets nothing.
    assert K not in warning_counts(city.institute_user, today=later)
    assert warning_counts(None, today=later) == {"total": 0}


def test_the_page_lists_it_for_the_owner_and_hides_it_from_another_county(client, city, failed):
    with clock.travel(failed + timedelta(days=31)):
        client.force_login(city.owner_a_user)
        body = client.get(reverse("warnings:list"), {"kind": K.value}).content.decode()
        assert "检定不合格逾期未处理" in body and "甲县农贸市场" in body
        client.force_login(city.county_regulator_b)
        body = client.get(reverse("warnings:list"), {"kind": K.value}).content.decode()
        assert "甲县农贸市场" not in body
        client.force_login(city.institute_user)
        response = client.get(reverse("warnings:list"), {"kind": K.value})
        assert "甲县农贸市场" not in response.content.decode()
