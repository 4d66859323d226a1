"""The traceability chain of a city standard in a real browser: drawn up to the SI, a broken link in red."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

from .conftest import log_in, screenshot, working_standard

# serialized_rollback: the flush after a transactional test would otherwise empty the catalog the migration loaded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_regulator_opens_the_chain_of_a_city_standard_up_to_the_si(page, city, lab):
    standard = working_standard(city, lab)
    log_in(page, "city_reg", PASSWORD)

    page.goto(f"/traceability/{standard.pk}/")

    chart = page.locator("#trace-chain-chart[data-ready=true]")
    chart.wait_for()
    assert chart.locator("canvas").count() >= 1
    # Levels: this standard, its equipment, the city's highest standard and the provincial institutes, their
    # equipment, NIM, SI.
    data = page.evaluate("JSON.parse(document.getElementById('trace-chain-data').textContent)")
    assert data["levels"] >= 6
    assert {n["name"] for n in data["nodes"] if n["kind"] == "authority"} >= {"中国计量科学研究院"}
    assert any(n["kind"] == "si" for n in data["nodes"])
    assert [link["number"] for link in data["links"] if link["broken"]] == ["RG-2025-1130"]
    broken_row = page.locator("#trace-links tr.trace-broken")
    assert broken_row.count() == 1
    assert "RG-2025-1130" in broken_row.inner_text()
    assert "1 处断链" in page.locator("[data-testid=broken-count]").inner_text()
    assert page.js_errors == []
    path = screenshot(page, "traceability-chain")
    assert path.stat().st_size > 10_000

    # The highest standard's node opens its own chain.
    page.goto(f"/traceability/{lab.city_standard.pk}/")
    page.locator("#trace-chain-chart[data-ready=true]").wait_for()
    assert "ZL-2026-001" in page.locator("#trace-links").inner_text()
