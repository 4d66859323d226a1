"""The recall list (jiliang.verification.selectors.recall) over 10^6 instrument certificates.

Builds, in a fresh database of its own (``var/bench/recall/`` or ``<BENCH_PG_URL>_recall``):

- a four-level tree of 300 standards (10 city highest → 40 city working → 100 county → 150 enterprise, 3 pieces
  of equipment each), every piece certified once a year 2016–2025 by the same standard one level up, on a random
  day (as in bench_traceability): 9,000 equipment certificates;
- N instrument certificates (``JILIANG_BENCH_RECALL_N``, default 1,000,000): N/10 instruments of 2,000 owners in
  12 counties, each verified once a year for ten years, always with the same standard (the 300 standards take
  equal shares), each verification a record, a standard use and a certificate; 1 % of them revoked.
  Rows are inserted set-based (INSERT … SELECT over a generated series), signatures are dummy strings.

Times the recall list as the page needs it — the walk, the count of instrument certificates and the first page of
50 with their owners, instruments, status and path, and the count of equipment certificates — for the busiest
top-level standard over one year, over a recall window (mid-2023 to the end of 2025), and for a mid-level standard
over one year; against a baseline in the same run: the single indexed query over StandardUse for the one standard
and range (count, then the first 50 certificates with owners). Goal (issue 5): p50 ≤ 200 ms. A benchmark never
fails on a time.

    python bench/bench_recall.py --db sqlite|postgres [--repeat N] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_traceability  # noqa: E402
import common  # noqa: E402

DATABASES = ("sqlite", "postgres")
SEED = 5
YEARS = range(2016, 2026)
SHAPE = (("city_top", 10), ("city_work", 40), ("county", 100), ("enterprise", 150))
EQUIPMENT_PER_STANDARD = 3
OWNERS = 2_000
GOAL = "p50 ≤ 200 ms"
PAGE = 50
N = int(os.environ.get("JILIANG_BENCH_RECALL_N", "1000000"))


def _use_own_database() -> None:
    common.VAR = common.VAR / "recall"
    common.PG_URL = common.PG_URL + "_recall"


def build_standards(rng: random.Random):
    """Regions, institutes, the 300 standards and their equipment certificates; returns (tiers, city institute,
    counties)."""
    from jiliang.core.models import Organization, Region
    from jiliang.metrology import uscc
    from jiliang.standards.models import ExternalAuthority, Standard, StandardEquipment

    city = Region.objects.create(code="210900", name="基准市", level=Region.Level.CITY)
    counties = Region.objects.bulk_create(
        Region(code=f"2109{n + 10:02d}", name=f"基准县{n + 1}", level=Region.Level.COUNTY, parent=city)
        for n in range(12)
    )
    serial = iter(range(1, 10**7))

    def org(name: str, region: Region, kind=Organization.Kind.INSTITUTE) -> Organization:
        return Organization(
            name=name, kind=kind, region=region, credit_code=uscc.make_code("91210900", f"{next(serial):08d}X")
        )

    city_institute = org("市计量测试所", city)
    county_institutes = [org(f"{c.name}计量检定所", c) for c in counties]
    labs = [org(f"企业计量室{n + 1}", counties[n % 12]) for n in range(50)]
    Organization.objects.bulk_create([city_institute, *county_institutes, *labs])
    owners = Organization.objects.bulk_create(
        [org(f"使用单位{n + 1}", counties[n % 12], Organization.Kind.OWNER) for n in range(OWNERS)], batch_size=2000
    )
    nim = ExternalAuthority.objects.create(name="中国计量科学研究院", level=ExternalAuthority.Level.NATIONAL)
    province = ExternalAuthority.objects.create(
        name="省计量科学研究院", level=ExternalAuthority.Level.PROVINCIAL, traces_to=nim
    )
    tiers: dict[str, list[Standard]] = {}
    for tier, count in SHAPE:
        rows = []
        for n in range(count):
            if tier.startswith("city"):
                holder, level = city_institute, Standard.Level.CITY
            elif tier == "county":
                holder, level = county_institutes[n % 12], Standard.Level.COUNTY
            else:
                holder, level = labs[n % len(labs)], Standard.Level.ENTERPRISE
            rows.append(
                Standard(
                    holder=holder,
                    name=f"{tier}标准{n + 1}",
                    code=f"{tier.upper()}-{n + 1:04d}",
                    measurand="质量",
                    level=level,
                    is_public=tier != "enterprise",
                    is_highest=tier == "city_top",
                    certificate_number=f"[2022]{tier}{n + 1}",
                    certificate_issued_on=date(2022, 1, 1),
                    certificate_valid_until=date(2025, 12, 31),
                )
            )
        tiers[tier] = Standard.objects.bulk_create(rows)
    equipment = {
        tier: StandardEquipment.objects.bulk_create(
            StandardEquipment(standard=s, name="砝码组", model="E2", serial_number=f"{s.code}-{k + 1}")
            for s in tiers[tier]
            for k in range(EQUIPMENT_PER_STANDARD)
        )
        for tier, _count in SHAPE
    }
    bench_traceability.certify_chain(rng, tiers, equipment, province, prefix="E")
    return tiers, city_institute, owners


def _columns(model, given: dict[str, str]) -> tuple[str, str]:
    """The INSERT column list and SELECT expressions for every concrete column of ``model``: the expressions in
    ``given`` (by column name); '' for other text columns, NULL for nullable ones. A column with neither (a
    field added since this was written) stops the benchmark with its name."""
    from django.db import models

    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        col = f.column
        if col in given:
            expr = given[col]
        elif f.null:
            expr = "NULL"
        elif isinstance(f, models.CharField | models.TextField):
            expr = "''"
        else:
            raise SystemExit(f"bench_recall: no value for {model.__name__}.{col}")
        cols.append(col)
        exprs.append(expr)
    return ", ".join(cols), ", ".join(exprs)


def build_certificates(tiers, institute, owners, user) -> None:
    """N records, standard uses and certificates, set-based (see the module docstring)."""
    from django.db import connection, transaction

    from jiliang.instruments.models import Instrument
    from jiliang.people.models import Person
    from jiliang.verification.models import Certificate, CertificateRevocation, StandardUse, VerificationRecord

    instruments_n = max(1, N // len(YEARS))
    owner_ids = [o.pk for o in owners]
    Instrument.objects.bulk_create(
        (
            Instrument(
                owner_id=owner_ids[i % OWNERS],
                region_id=owners[i % OWNERS].region_id,
                usage="trade",
                name="电子计价秤",
                serial_number=f"S{i:07d}",
            )
            for i in range(instruments_n)
        ),
        batch_size=5000,
    )
    first_instrument = Instrument.objects.order_by("pk").values_list("pk", flat=True).first()
    people = [
        Person.objects.create(organization=institute, name=name, title=Person.Title.SENIOR, hired_on=date(2010, 1, 1))
        for name in ("检定员", "核验员", "批准人")
    ]
    standards = [s.pk for tier, _count in SHAPE for s in tiers[tier]]
    assert standards == list(range(standards[0], standards[0] + len(standards))), "standard ids are contiguous"
    s0, sn = standards[0], len(standards)
    assert owner_ids == list(range(owner_ids[0], owner_ids[0] + OWNERS)), "owner ids are contiguous"
    # Owner k is in county k % 12 (build_standards), and the counties' ids are contiguous.
    county0 = owners[0].region_id
    assert all(o.region_id == county0 + k % 12 for k, o in enumerate(owners)), "owners' counties line up"

    pg = connection.vendor == "postgresql"
    # n = 0 … N−1; i = instrument index, y = year index, d = day of year; the same expressions on both databases.
    if pg:
        series = (
            f"SELECT n, n % {instruments_n} AS i, n / {instruments_n} AS y FROM generate_series(0::bigint, {N - 1}) n"
        )
        day = "(DATE '2016-01-01' + (y * 365 + (n * 7919) % 365)::int)"
        plus_year = f"({day} + 365)"
        now, doc = "now()", "'{}'::jsonb"
    else:
        series = (
            f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {N - 1}) "
            f"SELECT n, n % {instruments_n} AS i, n / {instruments_n} AS y FROM seq"
        )
        day = "date('2016-01-01', '+' || (y * 365 + (n * 7919) % 365) || ' days')"
        plus_year = "date('2016-01-01', '+' || (y * 365 + (n * 7919) % 365 + 365) || ' days')"
        now, doc = "CURRENT_TIMESTAMP", "'{}'"
    instrument = f"({first_instrument} + i)"
    owner = f"({owner_ids[0]} + i % {OWNERS})"
    standard = f"({s0} + (i * 31) % {sn})"

    record_cols, record_exprs = _columns(
        VerificationRecord,
        {
            "id": "n + 1",
            "instrument_id": instrument,
            "kind": "'verification'",
            "source": "'platform'",
            "institute_id": str(institute.pk),
            "performed_on": day,
            "conclusion": "'pass'",
            "verifier_id": str(people[0].pk),
            "checker_id": str(people[1].pk),
            "approver_id": str(people[2].pk),
            "next_due_on": plus_year,
            "created_at": now,
        },
    )
    use_cols, use_exprs = _columns(
        StandardUse, {"id": "n + 1", "record_id": "n + 1", "standard_id": standard, "performed_on": day}
    )
    cert_cols, cert_exprs = _columns(
        Certificate,
        {
            "id": "n + 1",
            "number": "'B' || n",
            "kind": "'verification'",
            "record_id": "n + 1",
            "institute_id": str(institute.pk),
            "owner_id": owner,
            "region_id": f"({county0} + (i % {OWNERS}) % 12)",
            "instrument_id": instrument,
            "year": "2016 + y",
            "sequence": "n + 1",
            "issued_on": day,
            "valid_until": plus_year,
            "token": "'T' || n",
            "document": doc,
            "signature": "'bench'",
            "key_id": "'bench'",
            "issued_at": now,
        },
    )
    if not pg:
        # A throw-away database: no rollback journal while building (a WAL of a gigabyte costs minutes).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic(), connection.cursor() as cursor:
        for model, cols, exprs in (
            (VerificationRecord, record_cols, record_exprs),
            (StandardUse, use_cols, use_exprs),
            (Certificate, cert_cols, cert_exprs),
        ):
            table = model._meta.db_table
            started = time.perf_counter()
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT {exprs} FROM ({series}) g")
            common.report(f"build: {table}", time.perf_counter() - started, "s")
        revoke_cols, revoke_exprs = _columns(
            CertificateRevocation,
            {
                "id": "n / 100 + 1",
                "certificate_id": "n + 1",
                "reason": "'标准失准'",
                "revoked_at": now,
                "revoked_by_id": str(user.pk),
                "document": doc,  # unsigned, like the certificates' dummy signatures
            },
        )
        table = CertificateRevocation._meta.db_table
        cursor.execute(f"INSERT INTO {table} ({revoke_cols}) SELECT {revoke_exprs} FROM ({series}) g WHERE n % 100 = 0")
        if pg:
            for model in (VerificationRecord, StandardUse, Certificate, CertificateRevocation):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    if not pg:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def run_cases(cases, repeat: int, suffix: str) -> None:
    from jiliang.standards.selectors.traceability import reverse_walk
    from jiliang.verification.models import Certificate, StandardUse
    from jiliang.verification.selectors.recall import instrument_hits, recall

    for case, standard, d0, d1 in cases:
        label = case + suffix
        found = recall(standard, d0, d1)
        common.report(
            f"{label}: found",
            found.instrument_count,
            "instrument certificates",
            baseline=f"{found.equipment_count} equipment certificates, {found.suspect_standard_count} standards",
        )

        def page(standard=standard, d0=d0, d1=d1):
            r = recall(standard, d0, d1)
            return r.instrument_count, r.equipment_count, r.instrument_rows(0, PAGE)

        def baseline(standard=standard, d0=d0, d1=d1):
            count = StandardUse.objects.filter(standard=standard, performed_on__range=(d0, d1)).count()
            rows = list(
                Certificate.objects.filter(
                    record__standards_used__standard=standard,
                    record__standards_used__performed_on__range=(d0, d1),
                )
                .select_related("owner", "instrument")
                .defer("document")
                .order_by("issued_on", "id")[:PAGE]
            )
            return count, rows

        b50, b95 = common.p50_p95(common.timed(baseline, repeat=repeat))
        p50, p95 = common.p50_p95(common.timed(page, repeat=repeat))
        walk = reverse_walk(standard, d0, d1)
        w50, _w95 = common.p50_p95(
            common.timed(lambda standard=standard, d0=d0, d1=d1: reverse_walk(standard, d0, d1), repeat=repeat)
        )
        h50, _h95 = common.p50_p95(common.timed(lambda walk=walk: instrument_hits(walk), repeat=repeat))
        note = f"one-standard indexed query p50 {b50 * 1000:.2f} ms, p95 {b95 * 1000:.2f} ms"
        common.report(f"{label}: recall (count + first {PAGE}) p50", p50 * 1000, "ms", goal=GOAL, baseline=note)
        common.report(f"{label}: recall (count + first {PAGE}) p95", p95 * 1000, "ms")
        common.report(f"{label}:   of which the walk p50", w50 * 1000, "ms")
        common.report(f"{label}:   of which the StandardUse query p50", h50 * 1000, "ms")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="time again on the database the last run built")
    args = parser.parse_args(argv)
    _use_own_database()
    common.setup_django(args.db, fresh=not args.reuse)

    from django.db import connection

    from jiliang.core.models import Role, User
    from jiliang.standards.models import Standard
    from jiliang.verification.models import Certificate

    if args.reuse and Certificate.objects.exists():
        tiers = {tier: list(Standard.objects.filter(code__startswith=tier.upper() + "-")) for tier, _n in SHAPE}
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        start = time.perf_counter()
        rng = random.Random(SEED)
        tiers, institute, owners = build_standards(rng)
        user = User.objects.create(username="bench_admin", role=Role.ADMIN)
        build_certificates(tiers, institute, owners, user)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        common.report("build: time", time.perf_counter() - start, "s")
    common.report("instrument certificates", Certificate.objects.count(), "rows")

    top = bench_traceability.busiest(tiers["city_top"])
    work = bench_traceability.busiest(tiers["city_work"])
    cases = (
        ("top-level standard, one year", top, date(2024, 1, 1), date(2024, 12, 31)),
        ("top-level standard, recall window 2023-07-01..2025-12-31", top, date(2023, 7, 1), date(2025, 12, 31)),
        ("mid-level standard, one year", work, date(2024, 1, 1), date(2024, 12, 31)),
    )
    # StandardUse's index (standard, performed_on, record) makes the recall query index-only (migration 0004).
    run_cases(cases, args.repeat, "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
