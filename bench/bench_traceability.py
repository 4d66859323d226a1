"""Reverse traceability (jiliang.standards.selectors.traceability.reverse_trace) over 10^5 equipment certificates.

Builds, in a fresh database of its own (``var/bench/trace/`` or ``<BENCH_PG_URL>_trace``), a province-sized
tree of standards with ten years (2016–2025) of annual equipment certificates, bulk-created:

    provincial institute → 40 city highest standards (3 pieces of equipment each)
                         → 160 city working standards (4 each)
                         → 480 county standards (4 each, 12 counties)
                         → 2,440 enterprise standards (3 each)

= 10,000 pieces of equipment × 10 years = 100,000 certificates. Each piece of equipment is certified every year
by the same issuer one level up (how labs work), on a random day of the year.

Times ``reverse_trace`` (ids and loaded certificates) for a city highest standard (one year; the whole ten years)
and a city working standard (one year), against a baseline in the same run: the one indexed query for the first
level only (the certificates the standard issued itself in the range, loaded as models); and what the page
does (the walk, then the first 500 certificates loaded). Goal (issue 4):
p50 ≤ 100 ms. A benchmark never fails on a time.

    python bench/bench_traceability.py --db sqlite|postgres [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402

DATABASES = ("sqlite", "postgres")
SEED = 4
YEARS = range(2016, 2026)
SHAPE = (("city_top", 40, 3), ("city_work", 160, 4), ("county", 480, 4), ("enterprise", 2440, 3))
GOAL = "p50 ≤ 100 ms"
# The reverse-traceability page lists this many certificates (jiliang/verification/views/recall.py PAGE_ROWS).
PAGE = 500


def _use_own_database() -> None:
    common.VAR = common.VAR / "trace"
    common.PG_URL = common.PG_URL + "_trace"


def build() -> dict[str, list]:
    """The tree described in the module docstring; returns the standards of each tier."""
    from jiliang.core.models import Organization, Region
    from jiliang.metrology import uscc
    from jiliang.standards.models import ExternalAuthority, Standard, StandardEquipment

    rng = random.Random(SEED)
    city = Region.objects.create(code="210900", name="基准市", level=Region.Level.CITY)
    counties = Region.objects.bulk_create(
        Region(code=f"2109{n + 10:02d}", name=f"基准县{n + 1}", level=Region.Level.COUNTY, parent=city)
        for n in range(12)
    )
    serial = iter(range(1, 10**6))

    def org(name: str, region: Region) -> Organization:
        return Organization(
            name=name,
            kind=Organization.Kind.INSTITUTE,
            region=region,
            credit_code=uscc.make_code("91210900", f"{next(serial):08d}X"),
        )

    city_institute = org("市计量测试所", city)
    county_institutes = [org(f"{c.name}计量检定所", c) for c in counties]
    enterprise_labs = [org(f"企业计量室{n + 1}", counties[n % len(counties)]) for n in range(400)]
    Organization.objects.bulk_create([city_institute, *county_institutes, *enterprise_labs])
    nim = ExternalAuthority.objects.create(name="中国计量科学研究院", level=ExternalAuthority.Level.NATIONAL)
    province = ExternalAuthority.objects.create(
        name="省计量科学研究院", level=ExternalAuthority.Level.PROVINCIAL, traces_to=nim
    )

    tiers: dict[str, list[Standard]] = {}
    for tier, count, _per in SHAPE:
        standards = []
        for n in range(count):
            if tier.startswith("city"):
                holder, level = city_institute, Standard.Level.CITY
            elif tier == "county":
                holder, level = county_institutes[n % len(county_institutes)], Standard.Level.COUNTY
            else:
                holder, level = enterprise_labs[n % len(enterprise_labs)], Standard.Level.ENTERPRISE
            standards.append(
                Standard(
                    holder=holder,
                    name=f"{tier}标准{n + 1}",
                    code=f"{tier.upper()}-{n + 1:05d}",
                    measurand="质量",
                    level=level,
                    is_public=tier != "enterprise",
                    is_highest=tier == "city_top",
                    certificate_number=f"[2022]{tier}{n + 1}",
                    certificate_issued_on=date(2022, 1, 1),
                    certificate_valid_until=date(2025, 12, 31),
                )
            )
        tiers[tier] = Standard.objects.bulk_create(standards, batch_size=2000)

    equipment: dict[str, list[StandardEquipment]] = {}
    for tier, _count, per in SHAPE:
        rows = [
            StandardEquipment(standard=s, name="砝码组", model="E2", serial_number=f"{s.code}-{k + 1}")
            for s in tiers[tier]
            for k in range(per)
        ]
        equipment[tier] = StandardEquipment.objects.bulk_create(rows, batch_size=5000)

    certify_chain(rng, tiers, equipment, province, prefix="C")
    return tiers


# Each tier is certified by the tier above; the top tier by the provincial institute.
ABOVE = {"city_top": None, "city_work": "city_top", "county": "city_work", "enterprise": "county"}


def certify_chain(rng, tiers: dict[str, list], equipment: dict[str, list], province, *, prefix: str) -> None:
    """One certificate a year for every piece of equipment, each keeping its issuer (a standard of the tier above,
    or the province for the top tier) from year to year. Shared with bench_recall."""
    from jiliang.standards.models import EquipmentCertificate

    certificates = []
    for tier in equipment:
        issuers = tiers[ABOVE[tier]] if ABOVE[tier] else None
        for eq in equipment[tier]:
            issuer = rng.choice(issuers) if issuers else None
            for year in YEARS:
                issued = date(year, 1, 1) + timedelta(days=rng.randrange(365))
                certificates.append(
                    EquipmentCertificate(
                        equipment=eq,
                        issuer_standard=issuer,
                        issuer_authority=None if issuer else province,
                        number=f"{prefix}{len(certificates) + 1:07d}",
                        issued_on=issued,
                        valid_until=issued + timedelta(days=364),
                        result="合格",
                    )
                )
    EquipmentCertificate.objects.bulk_create(certificates, batch_size=5000)


def busiest(standards: list) -> object:
    """The standard of a tier that issued the most certificates (the worst case for its tier)."""
    from django.db.models import Count

    from jiliang.standards.models import Standard

    return (
        Standard.objects.filter(pk__in=[s.pk for s in standards])
        .annotate(n=Count("issued_equipment_certificates"))
        .order_by("-n", "pk")
        .first()
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    _use_own_database()
    common.setup_django(args.db)

    from django.db import connection

    from jiliang.standards.models import EquipmentCertificate
    from jiliang.standards.selectors.traceability import load_certificates, reverse_trace, reverse_trace_ids

    start = time.perf_counter()
    tiers = build()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = EquipmentCertificate.objects.count()
    common.report("build: equipment certificates", total, "rows")
    common.report("build: time", time.perf_counter() - start, "s")

    top = busiest(tiers["city_top"])
    work = busiest(tiers["city_work"])
    one_year = (date(2024, 1, 1), date(2024, 12, 31))
    ten_years = (date(2016, 1, 1), date(2025, 12, 31))
    # The whole history of a top-level standard is a third of the tree: a few runs show its cost.
    cases = (
        ("top-level standard, one year", top, one_year, args.repeat),
        ("mid-level standard, one year", work, one_year, args.repeat),
        ("top-level standard, ten years", top, ten_years, max(3, args.repeat // 10)),
    )
    for label, standard, (d0, d1), repeat in cases:
        found = reverse_trace(standard, d0, d1)
        direct = list(
            EquipmentCertificate.objects.filter(issuer_standard=standard, issued_on__range=(d0, d1))
            .select_related("equipment__standard__holder", "issuer_standard")
            .order_by("issued_on", "id")
        )
        assert {c.pk for c in direct} <= {c.pk for c in found}, "every direct certificate is in the recursive set"
        common.report(f"{label}: certificates found", len(found), "rows", baseline=f"{len(direct)} at level 1")

        def baseline(standard=standard, d0=d0, d1=d1):
            return list(
                EquipmentCertificate.objects.filter(issuer_standard=standard, issued_on__range=(d0, d1))
                .select_related("equipment__standard__holder", "issuer_standard")
                .order_by("issued_on", "id")
            )

        b50, _b95 = common.p50_p95(common.timed(baseline, repeat=repeat))
        i50, i95 = common.p50_p95(
            common.timed(lambda standard=standard, d0=d0, d1=d1: reverse_trace_ids(standard, d0, d1), repeat=repeat)
        )
        r50, r95 = common.p50_p95(
            common.timed(lambda standard=standard, d0=d0, d1=d1: reverse_trace(standard, d0, d1), repeat=repeat)
        )
        note = f"one-level indexed query p50 {b50 * 1000:.2f} ms"
        common.report(f"{label}: reverse_trace p50", r50 * 1000, "ms", goal=GOAL, baseline=note)
        # The walk alone (a page could count first and load one page of certificates at a time).
        common.report(f"{label}: reverse_trace p95", r95 * 1000, "ms")
        common.report(f"{label}: ids only (no model load) p50", i50 * 1000, "ms")
        common.report(f"{label}: ids only (no model load) p95", i95 * 1000, "ms")

        def page(standard=standard, d0=d0, d1=d1):
            ids = reverse_trace_ids(standard, d0, d1)
            return len(ids), load_certificates(ids[:PAGE])

        g50, g95 = common.p50_p95(common.timed(page, repeat=repeat))
        common.report(f"{label}: page (count + first {PAGE}) p50", g50 * 1000, "ms", goal=GOAL)
        common.report(f"{label}: page (count + first {PAGE}) p95", g95 * 1000, "ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
