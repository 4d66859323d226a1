"""The traceability chain of a city standard in a real browser: drawn up to the SI, a broken link in red."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiliang.standards.models import EquipmentCertificate, ExternalAuthority, Standard, StandardEquipment
from tests.conftest import PASSWORD
from tests.standards.conftest import lab, make_equipment, make_standard  # noqa: F401 (lab is a fixture)

from .conftest import log_in, screenshot

# serialized_rollback: the flush after a transactional test would otherwise empty the catalog the migration loaded.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def working_standard(city, lab) -> Standard:  # noqa: F811 (the fixture's value)
    """A city working standard: one weight set certified by the city's highest standard (itself traced to the
    provincial institute and NIM), one by the provincial institute, and a thermometer whose certificate has
    just expired (a broken link)."""
    today = lab.today
    standard = make_standard(
        city.institute, code="CS-010", level=Standard.Level.CITY, today=today, name="非自动衡器检定装置"
    )
    make_equipment(
        standard, name="M1等级砝码组", serial="M1-017", issuer=lab.city_standard, today=today, number="JL-2026-0317"
    )
    make_equipment(
        standard, name="F1等级砝码组", serial="F1-004", issuer=lab.province, today=today, number="ZL-2026-0451"
    )
    other = ExternalAuthority.objects.create(
        name="辽宁省计量测试技术研究院", level=ExternalAuthority.Level.PROVINCIAL, traces_to=lab.nim
    )
    thermometer = StandardEquipment.objects.create(
        standard=standard, name="温湿度计", model="TH-20", serial_number="TH-0093"
    )
    EquipmentCertificate.objects.create(
        equipment=thermometer,
        issuer_authority=other,
        number="RG-2025-1130",
        issued_on=today - timedelta(days=370),
        valid_until=today - timedelta(days=5),
        result="合格",
    )
    return standard


def test_a_regulator_opens_the_chain_of_a_city_standard_up_to_the_si(page, city, lab):  # noqa: F811
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
