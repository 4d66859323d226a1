"""A county bureau's home in a real browser: the chart draws a bar per owner category of its county (markets, a
hospital, a petrol station), not one bar for the county; a bar opens the county's list in the state clicked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jiliang.core.models import Organization
from tests.conftest import PASSWORD
from tests.factories import InstrumentFactory, OrganizationFactory

from .conftest import log_in, populate, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_county_regulator_sees_a_bar_per_owner_category(page, city, width):
    populate(city)
    today = timezone.localdate()
    Category = Organization.Category
    for name, category, ages in (
        ("甲县人民医院", Category.HOSPITAL, (30, 400, None)),
        ("甲县石油加油站", Category.PETROL_STATION, (350, 60)),
    ):
        owner = OrganizationFactory(name=name, region=city.county_a, category=category)
        for n, age in enumerate(ages):
            InstrumentFactory(
                owner=owner,
                serial_number=f"{category[:2].upper()}-{n}",
                last_verified_on=today - timedelta(days=age) if age is not None else None,
            )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "county_reg_a", PASSWORD)
    page.wait_for_selector("#due-by-county-chart[data-ready=true] canvas")
    assert page.locator("[data-testid=chart-by-category]").count() == 1
    names = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('due-by-county-chart')).getOption().xAxis[0].data"
    )
    assert names == ["集贸市场", "医院", "加油（气）站"]
    assert "乙县" not in page.content()
    screenshot(page, f"home_county_by_category_{width}")
    assert page.js_errors == []
