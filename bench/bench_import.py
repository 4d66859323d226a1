"""Import of a 10^5-row .xlsx into the registry, against the raw bulk_create of the same rows.

Every row carries a last-verification date, which the import turns into a declared verification record linked
from the instrument (the baseline bulk-creates the records too, without linking them).

    python bench/bench_import.py --db sqlite [--rows 100000]

Figures: the whole ``instruments_import`` (read, validate, derive, write, audit) in rows/s, by the wall clock
and by this process's CPU time; the read of the file alone (calamine plus the formula scan); and, as the
baseline, ``Instrument.objects.bulk_create`` of the same rows already built in memory (the importer writes with
COPY / executemany instead, see ``importing.writer.RowWriter``). The file is written once with openpyxl
(write-only mode, inline strings: the largest XML for a given content) and kept under var/bench/.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import VAR, report, setup_django

DATABASES = ("sqlite", "postgres")
GOAL_ROWS_PER_S = 20_000
FILE_VERSION = 1  # bump when the generated file changes


def build_file(rows: int) -> Path:
    from openpyxl import Workbook

    from jiliang.instruments.excel import DATA_SHEET, IMPORT_COLUMNS

    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / f"import-{rows}-v{FILE_VERSION}.xlsx"
    if path.exists():
        return path
    items = ["02 电子计价秤(数字指示秤)", "03 电子台秤、电子地秤(数字指示秤)", "08 燃油加油机"]
    usages = ["贸易结算", "贸易结算", "其他（非强制用途）"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(DATA_SHEET)
    ws.append([c.header for c in IMPORT_COLUMNS])
    for n in range(rows):
        ws.append(
            [
                items[n % 3],
                usages[n % 3],
                "电子计价秤",
                "某某衡器有限公司",
                "ACS-15",
                f"BENCH-{n:07d}",
                f"ZC{n}",
                "Ⅲ",
                "(0～15) kg",
                f"{n % 500} 号摊位",
                date(2024, 1, 1),
                date(2025, 1 + n % 12, 1 + n % 28),
            ]
        )
    partial = path.with_suffix(".part")
    wb.save(partial)
    partial.rename(path)
    return path


def make_owner(credit_number: int, name: str):
    from jiliang.core.models import Organization, Region
    from jiliang.metrology import uscc

    city, _ = Region.objects.get_or_create(code="219900", defaults={"name": "基准市", "level": "city"})
    county, _ = Region.objects.get_or_create(
        code="219901", defaults={"name": "基准县", "level": "county", "parent": city}
    )
    return Organization.objects.create(
        name=name,
        kind=Organization.Kind.OWNER,
        region=county,
        credit_code=uscc.make_code("91219900", f"{credit_number:08d}X"),
    )


def baseline_instances(owner, rows: int):
    """The rows the import builds, built directly (no file, no validation), ready for bulk_create."""
    from jiliang.catalog.models import CatalogItem
    from jiliang.instruments.models import Instrument
    from jiliang.instruments.services import derive

    items = [CatalogItem.objects.get(code=c) for c in ("02", "03", "08")]
    usages = ["trade", "trade", "other"]
    instances = []
    for n in range(rows):
        item = items[n % 3]
        instrument = Instrument(
            owner_id=owner.pk,
            region_id=owner.region_id,
            catalog_item_id=item.pk,
            usage=usages[n % 3],
            name="电子计价秤",
            manufacturer="某某衡器有限公司",
            model="ACS-15",
            serial_number=f"BENCH-{n:07d}",
            asset_number=f"ZC{n}",
            accuracy_class="Ⅲ",
            measuring_range="(0～15) kg",
            location=f"{n % 500} 号摊位",
            registered_on=date(2024, 1, 1),
        )
        derive(instrument, item, date(2025, 1 + n % 12, 1 + n % 28))
        instances.append(instrument)
    return instances


def baseline_records(instances):
    """The declared record of each instrument's verification date (the file's 最近检定日期 column)."""
    from jiliang.verification.models import VerificationRecord

    return [
        VerificationRecord(
            instrument_id=instrument.pk,
            source="declared",
            conclusion="pass",
            performed_on=date(2025, 1 + n % 12, 1 + n % 28),
            next_due_on=instrument.due_on,
        )
        for n, instrument in enumerate(instances)
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    args, _ = parser.parse_known_args(argv)
    setup_django(args.db)

    from django.db import transaction
    from django.test.utils import override_settings

    from jiliang.instruments.excel import read_sheet
    from jiliang.instruments.importing import instruments_import
    from jiliang.instruments.models import Instrument
    from jiliang.verification.models import VerificationRecord

    started = time.perf_counter()
    path = build_file(args.rows)
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.1f} MB (ready in {time.perf_counter() - started:.1f} s)")
    goal = f"≥ {GOAL_ROWS_PER_S:,} rows/s"

    data = path.read_bytes()
    start = time.perf_counter()
    read_sheet(data)
    read_s = time.perf_counter() - start
    report(f"read {args.rows:,} rows (calamine + formula scan)", args.rows / read_s, "rows/s")

    owner = make_owner(1, "基准导入单位")
    with override_settings(JILIANG_IMPORT_MAX_ROWS=max(args.rows, 200_000)):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = instruments_import(actor=None, owner=owner, file=path)
        import_s, import_cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    if not result.ok:
        print(f"import failed: {result.file_error or result.errors[:5]}")
        return 1
    assert Instrument.objects.filter(owner=owner).count() == args.rows
    # Every row of the file has a verification date: one declared record each, linked from its instrument.
    assert Instrument.objects.filter(owner=owner, last_verification__isnull=False).count() == args.rows

    other = make_owner(2, "基准对照单位")
    instances = baseline_instances(other, args.rows)
    start = time.perf_counter()
    with transaction.atomic():
        Instrument.objects.bulk_create(instances, batch_size=2000)
        VerificationRecord.objects.bulk_create(baseline_records(instances), batch_size=2000)
    bulk_s = time.perf_counter() - start

    report(
        f"instruments_import of {args.rows:,} rows ({import_s:.2f} s)",
        args.rows / import_s,
        "rows/s",
        goal=goal,
        baseline=f"bulk_create {args.rows / bulk_s:,.0f} rows/s ({bulk_s:.2f} s)",
    )
    report(f"raw bulk_create of the same {args.rows:,} rows", args.rows / bulk_s, "rows/s")
    # On a shared machine the wall clock says more about the neighbours than about the code; the CPU time of
    # this process (which, for PostgreSQL, leaves out the server's work) is printed as well.
    report(f"instruments_import, CPU time of this process ({import_cpu_s:.2f} s)", args.rows / import_cpu_s, "rows/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
