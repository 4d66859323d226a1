"""The demo's two cities in a real browser: 延安市's regulator opens the Yan'an dashboard and is refused a 阜新
instrument; 阜新市's regulator makes the 2020 final evaluation of the Fuxin plan and publishes it, and the public sees
it on /open/ without logging in. Both cities built small (no history), Fuxin's plan-period snapshot taken."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from jiliang.core.models import Region
from jiliang.demo import city
from jiliang.indicators.models import Evaluation
from jiliang.indicators.services.plans import snapshot_take
from jiliang.instruments.models import Instrument

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FINAL_DAY = date(2020, 12, 31)


@pytest.fixture
def cities(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    city.build_city(seed=1, today=timezone.localdate(), cities={"yanan": 150, "fuxin": 120})
    yanan = Region.objects.get(code="610600")
    fuxin = Region.objects.get(code="210900")
    snapshot_take(day=timezone.localdate(), city=yanan)
    snapshot_take(day=FINAL_DAY, city=fuxin)
    return yanan, fuxin


def test_yanan_regulator_opens_the_yanan_dashboard_and_not_a_fuxin_instrument(page, cities):
    log_in(page, "yanan_city", city.DEMO_PASSWORD)
    page.goto("/plans/yanan-2021/")
    page.wait_for_selector("#dashboard")
    assert "延安市" in page.locator("body").inner_text()
    screenshot(page, "cities_yanan_dashboard")
    # The other city's plan and instruments are not theirs: 404, as for something that does not exist.
    assert page.goto("/plans/fuxin-2015/").status == 404
    theirs = Instrument.objects.filter(region__code__startswith="2109").order_by("pk").first()
    assert page.goto(f"/instruments/{theirs.pk}/").status == 404
    ours = Instrument.objects.filter(region__code__startswith="6106").order_by("pk").first()
    assert page.goto(f"/instruments/{ours.pk}/").status == 200


def test_fuxin_regulator_publishes_the_2020_final_evaluation_and_the_public_sees_it(page, cities):
    page.on("dialog", lambda dialog: dialog.accept())  # a confirmation before publishing, if the page asks
    log_in(page, "fuxin_city", city.DEMO_PASSWORD)
    page.goto("/plans/fuxin-2015/")
    page.wait_for_selector("#dashboard")
    screenshot(page, "cities_fuxin_dashboard")
    page.locator("[data-testid=evaluations-link]").click()
    page.wait_for_url("**/evaluations/")
    page.locator("select[name=kind]").select_option("final")
    page.fill("input[name=day]", FINAL_DAY.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="生成评估报告").click()
    evaluation = Evaluation.objects.get()
    assert (evaluation.city.name, evaluation.kind, evaluation.day) == ("阜新市", "final", FINAL_DAY)
    row = page.locator(f"#evaluation-table tr[data-pk='{evaluation.pk}']")
    with page.expect_navigation():
        row.get_by_role("button", name="公开").click()
    evaluation.refresh_from_db()
    assert evaluation.published_at is not None
    screenshot(page, "cities_fuxin_evaluation_published")

    page.context.clear_cookies()
    response = page.goto("/open/")
    assert response.status == 200
    assert evaluation.title in page.locator("body").inner_text()
    screenshot(page, "cities_open_fuxin_final")
    # 延安's regulator does not see Fuxin's evaluations among theirs.
    log_in(page, "yanan_city", city.DEMO_PASSWORD)
    page.goto("/evaluations/")
    assert evaluation.title not in page.locator("body").inner_text()
