"""The traceability chain up to the SI and reverse traceability down the chain."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.standards.models import EquipmentCertificate, Standard, StandardEquipment
from jiliang.standards.selectors.traceability import (
    LinkState,
    certificates_issued_with,
    chain_up,
    reverse_trace,
    standard_chain,
)
from tests.builders.standards import make_equipment, make_standard


def test_chain_of_a_county_standard_climbs_three_levels_to_nim_and_the_si(lab):
    graph = chain_up(lab.county_standard, lab.today)

    levels = {key: node.level for key, node in graph.nodes.items()}
    assert levels[f"standard:{lab.county_standard.pk}"] == 0
    assert levels[f"equipment:{lab.county_equipment.pk}"] == 1
    assert levels[f"standard:{lab.city_standard.pk}"] == 2
    assert levels[f"equipment:{lab.equipment_1.pk}"] == 3
    assert levels[f"authority:{lab.province.pk}"] == 4
    assert levels[f"authority:{lab.nim.pk}"] == 5
    assert levels["si"] == 6
    assert graph.reaches_si
    assert sorted(e.number for e in graph.certificate_edges) == ["JD-2026-101", "ZL-2026-001", "ZL-2026-002"]
    assert all(e.state == LinkState.VALID for e in graph.certificate_edges)
    assert not graph.broken_edges
    assert graph.nodes[f"standard:{lab.city_standard.pk}"].valid is True
    assert graph.nodes[f"standard:{lab.county_standard.pk}"].valid is True
    kinds = {(e.source, e.target, e.kind) for e in graph.edges}
    assert (f"authority:{lab.province.pk}", f"authority:{lab.nim.pk}", "traces_to") in kinds
    assert (f"authority:{lab.nim.pk}", "si", "realises") in kinds


def test_an_expired_equipment_certificate_is_a_broken_link_and_invalidates_its_standard(lab):
    yesterday = lab.today - timedelta(days=1)
    EquipmentCertificate.objects.filter(pk=lab.certificate_1.pk).update(valid_until=yesterday)

    graph = chain_up(lab.county_standard, lab.today)

    broken = graph.broken_edges
    assert [(e.number, e.state) for e in broken] == [("ZL-2026-001", LinkState.EXPIRED)]
    city = graph.nodes[f"standard:{lab.city_standard.pk}"]
    assert city.valid is False
    assert any("E2等级砝码组" in reason for reason in city.reasons)
    # The county standard's own links are intact; its validity only looks at its own equipment.
    assert graph.nodes[f"standard:{lab.county_standard.pk}"].valid is True


def test_a_certificate_ending_today_is_a_valid_link_that_expires_soon(lab):
    EquipmentCertificate.objects.filter(pk=lab.certificate_2.pk).update(valid_until=lab.today)

    graph = chain_up(lab.city_standard, lab.today)

    states = {e.number: e.state for e in graph.certificate_edges}
    assert states == {"ZL-2026-001": LinkState.VALID, "ZL-2026-002": LinkState.EXPIRING}
    assert graph.nodes[f"standard:{lab.city_standard.pk}"].valid is True


def test_equipment_without_a_certificate_is_a_missing_link(lab):
    StandardEquipment.objects.create(standard=lab.city_standard, name="温湿度计", serial_number="TH-1")

    graph = chain_up(lab.city_standard, lab.today)

    assert [e.state for e in graph.broken_edges] == [LinkState.MISSING]
    assert graph.nodes[f"standard:{lab.city_standard.pk}"].valid is False


def test_a_loop_between_two_standards_is_recorded_and_not_followed(lab):
    # The city standard's second piece of equipment is now certified by the county standard it certifies.
    EquipmentCertificate.objects.create(
        equipment=lab.equipment_2,
        issuer_standard=lab.county_standard,
        number="LOOP-1",
        issued_on=lab.today - timedelta(days=10),
        valid_until=lab.today + timedelta(days=300),
    )

    graph = chain_up(lab.county_standard, lab.today)

    assert graph.cycles == [(f"equipment:{lab.equipment_2.pk}", f"standard:{lab.county_standard.pk}")]
    standards = [n for n in graph.nodes.values() if n.kind == "standard"]
    assert len(standards) == 2
    assert graph.reaches_si  # the other piece still climbs to NIM


def test_an_issuer_reached_from_two_heights_is_drawn_above_both(lab, city):
    working = make_standard(city.institute, code="CS-002", level=Standard.Level.CITY, today=lab.today)
    make_equipment(working, name="F1等级砝码组", serial="F-1", issuer=lab.city_standard, today=lab.today, number="W-1")
    make_equipment(
        lab.county_standard, name="M1等级砝码组", serial="K-2", issuer=working, today=lab.today, number="K-2"
    )

    graph = chain_up(lab.county_standard, lab.today)

    level = {key: node.level for key, node in graph.nodes.items()}
    for e in graph.edges:
        lower, upper = (e.target, e.source) if e.kind == "part" else (e.source, e.target)
        assert level[upper] > level[lower], (e.kind, e.number)
    assert level["si"] == max(level.values())
    assert not graph.cycles


def test_the_chain_costs_a_bounded_number_of_queries(lab):
    with CaptureQueriesContext(connection) as queries:
        chain_up(lab.county_standard, lab.today)
    # Three queries per level of standards (standards, equipment, certificates), one for authorities, plus the
    # final empty level.
    assert len(queries) <= 8


# ---- Reverse traceability ------------------------------------------------------------------------------------


@pytest.fixture
def tree(city):
    """S certifies A and B; A certifies C; C certifies D; D certifies S (a loop). Dates are fixed."""
    top = make_standard(city.institute, code="S", level=Standard.Level.CITY, today=date(2025, 1, 1))
    a = make_standard(city.institute, code="A", level=Standard.Level.CITY, today=date(2025, 1, 1))
    b = make_standard(city.institute, code="B", level=Standard.Level.CITY, today=date(2025, 1, 1))
    c = make_standard(city.institute, code="C", level=Standard.Level.COUNTY, today=date(2025, 1, 1))
    d = make_standard(city.institute, code="D", level=Standard.Level.COUNTY, today=date(2025, 1, 1))
    equipment = {
        s.code: StandardEquipment.objects.create(standard=s, name="砝码", serial_number=s.code)
        for s in (top, a, b, c, d)
    }

    def cert(number, issuer, holder, issued):
        return EquipmentCertificate.objects.create(
            equipment=equipment[holder.code],
            issuer_standard=issuer,
            number=number,
            issued_on=issued,
            valid_until=issued + timedelta(days=364),
        )

    cert("S-A-old", top, a, date(2024, 2, 1))  # before the range
    cert("S-A", top, a, date(2025, 3, 1))  # in range
    cert("S-B-late", top, b, date(2025, 12, 1))  # after the range
    cert("A-C-early", a, c, date(2025, 2, 1))  # before A got its suspect value
    cert("A-C", a, c, date(2025, 4, 1))  # after: suspect
    cert("B-C", b, c, date(2025, 5, 1))  # B is not suspect in the range
    cert("C-D", c, d, date(2025, 4, 1))  # same day as C got its suspect value: suspect
    cert("C-D-after", c, d, date(2025, 9, 1))  # after the range's end: outside the horizon
    cert("D-S", d, top, date(2025, 5, 1))  # loop back to S
    return {"S": top, "A": a, "B": b, "C": c, "D": d}


def test_reverse_trace_follows_suspect_values_down_the_chain(tree):
    found = reverse_trace(tree["S"], date(2025, 3, 1), date(2025, 6, 30))
    assert [c.number for c in found] == ["S-A", "A-C", "C-D", "D-S"]


def test_reverse_trace_of_a_mid_level_standard_starts_at_its_range(tree):
    found = reverse_trace(tree["A"], date(2025, 1, 1), date(2025, 12, 31))
    # A → C (both of A's), C → D from the earliest (Feb 1): C-D and C-D-after; D → S; S's own from May 1 on.
    assert [c.number for c in found] == ["A-C-early", "A-C", "C-D", "D-S", "C-D-after", "S-B-late"]


def test_reverse_trace_of_an_empty_or_inverted_range_is_empty(tree):
    assert reverse_trace(tree["S"], date(2025, 6, 30), date(2025, 3, 1)) == []
    assert reverse_trace(tree["B"], date(2025, 1, 1), date(2025, 4, 30)) == []


def test_reverse_trace_costs_one_query_per_level_and_one_to_load(tree):
    with CaptureQueriesContext(connection) as queries:
        reverse_trace(tree["S"], date(2025, 3, 1), date(2025, 6, 30))
    # Levels S, A, C, D, then the empty level from S's loop back; then the load.
    assert len(queries) <= 6


def test_selectors_answer_out_of_scope_standards_like_missing_ones(lab, city):
    county_standard = lab.county_standard.pk
    with pytest.raises(NotFoundOrForbidden):
        standard_chain(city.county_regulator_b, county_standard, lab.today)
    with pytest.raises(NotFoundOrForbidden):
        certificates_issued_with(city.owner_a_user, county_standard, lab.today, lab.today)
    with pytest.raises(NotFoundOrForbidden):
        certificates_issued_with(city.institute_user, county_standard, lab.today, lab.today)
    standard, graph = standard_chain(city.county_regulator_a, county_standard, lab.today)
    assert standard.pk == county_standard and graph.reaches_si
    found = certificates_issued_with(
        city.institute_user, lab.city_standard.pk, lab.today - timedelta(days=365), lab.today
    )
    assert [c.number for c in found] == ["JD-2026-101"]
