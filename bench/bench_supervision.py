"""Supervision's lists at a city's scale: 10^5 inspections and 10^4 penalty cases (``--quick``: 10^4 and 10^3).

Builds its own database (``var/bench/supervision/`` or ``<BENCH_PG_URL>_supervision``), fresh each run: the demo
city (``jiliang.demo.city.build_city`` with 10^5 instruments, bulk writes), then inspections and cases written with
``bulk_create`` (the services are not what is measured): over every owner of the city, spread over two years and
every county, most submitted with a result, a share published; cases in every state.

Timed (p50 and p95 of 20 requests after 2 unmeasured, through Django's test Client):

1. the **baseline**: the bare query of the first 50 inspections of the city's counties, newest first
   (``Inspection.objects.filter(region__in=…).order_by("-inspected_on", "-id")[:50]``, no join), the least a list
   of them must read;
2. the inspection list ``/supervision/inspections/`` as the city regulator (every county) and as a county
   regulator, and with a status filter;
3. the case list ``/supervision/cases/`` as the city regulator (when the cases' pages exist).

Goal (issue 15): the inspection and case lists p50 ≤ 100 ms on SQLite and PostgreSQL. A benchmark never fails on a
time.

    python bench/bench_supervision.py --db sqlite [--quick]
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
REPEAT = 20
GOAL = "p50 ≤ 100 ms"
SEED = 15
INSTRUMENTS = 100_000


def measure(name: str, fn, *, goal: str = "", note: str = "") -> float:
    p50, p95 = common.p50_p95(common.timed(fn, repeat=REPEAT, warmup=2))
    common.report(name + " p50", p50 * 1000, "ms", goal=goal, baseline=note)
    common.report(name + " p95", p95 * 1000, "ms")
    return p50


def build(inspections: int, cases: int, today: date) -> dict[str, int]:
    from django.db import transaction

    from jiliang.core.models import Organization, Region, User
    from jiliang.supervision.models import Case, Checklist, Inspection, Publication, ResultCategory

    rng = random.Random(SEED)
    city = Region.objects.get(level=Region.Level.CITY)
    owners = list(Organization.objects.filter(kind="owner").values_list("id", "region_id", "category"))
    bureau = Organization.objects.get(kind="regulator", region=city)
    checklists = {c.trade: c.pk for c in Checklist.objects.all()}
    results = list(ResultCategory.objects.values_list("code", flat=True))
    user = User.objects.filter(username=common.REGULATOR).first()
    rows = []
    for n in range(inspections):
        owner_id, region_id, category = owners[n % len(owners)]
        day = today - timedelta(days=rng.randint(0, 730))
        status = rng.choices(["draft", "submitted", "published"], [5, 35, 60])[0]
        rows.append(
            Inspection(
                number=f"{region_id}-JC-{day.year}-{n:06d}",
                organization_id=owner_id,
                region_id=region_id,
                bureau=bureau,
                checklist_id=checklists["petrol" if category == "petrol_station" else "other"],
                inspected_on=day,
                status=status,
                result_id=None if status == "draft" else rng.choice(results),
                publish_due=None if status == "draft" else day + timedelta(days=28),
                created_by=user,
            )
        )
    with transaction.atomic():
        Inspection.objects.bulk_create(rows, batch_size=5000)
    published = Inspection.objects.filter(status="published").values_list("id", "region_id", "inspected_on")
    with transaction.atomic():
        Publication.objects.bulk_create(
            (
                Publication(
                    kind="result",
                    region_id=region_id,
                    inspection_id=pk,
                    title="bench",
                    body={},
                    due_on=day + timedelta(days=28),
                    published_at=common_now(),
                )
                for pk, region_id, day in published.iterator()
            ),
            batch_size=5000,
        )
    case_rows = []
    states = [s for s, _label in Case.Status.choices]
    for n in range(cases):
        owner_id, region_id, _category = owners[rng.randrange(len(owners))]
        day = today - timedelta(days=rng.randint(0, 730))
        case_rows.append(
            Case(
                number=f"{region_id}-AJ-{day.year}-{n:06d}",
                region_id=region_id,
                bureau=bureau,
                party_id=owner_id,
                source="inspection",
                summary="bench",
                status=rng.choice(states),
                clue_received_on=day,
                created_by=user,
            )
        )
    with transaction.atomic():
        Case.objects.bulk_create(case_rows, batch_size=5000)
    return {"inspections": inspections, "cases": cases}


def common_now():
    from django.utils import timezone

    return timezone.now()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=DATABASES, default="sqlite")
    parser.add_argument("--quick", action="store_true", help="10^4 inspections and 10^3 cases")
    args, _unknown = parser.parse_known_args(argv)
    count, cases = (10_000, 1_000) if args.quick else (100_000, 10_000)
    common.VAR = common.VAR / "supervision"
    common.PG_URL = common.PG_URL + "_supervision"
    common.setup_django(args.db, fresh=True)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from jiliang.core.models import Region, User
    from jiliang.core.selectors import region_and_descendants
    from jiliang.demo import city
    from jiliang.supervision.models import Inspection

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    today = timezone.localdate()
    start = time.perf_counter()
    city.build_city(seed=SEED, today=today, cities={common.BENCH_CITY: INSTRUMENTS})
    common.report(f"build_city {INSTRUMENTS:,} instruments [{args.db}]", time.perf_counter() - start, "s")
    start = time.perf_counter()
    made = build(count, cases, today)
    common.report(
        f"bulk-write {made['inspections']:,} inspections and {made['cases']:,} cases [{args.db}]",
        time.perf_counter() - start,
        "s",
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    regulator = User.objects.get(username=common.REGULATOR)
    county_user = User.objects.get(username=f"{common.BENCH_CITY}_county")
    regions = region_and_descendants(Region.objects.get(level=Region.Level.CITY).pk)

    def baseline() -> object:
        return list(
            Inspection.objects.filter(region_id__in=regions).order_by("-inspected_on", "-id").values_list("id")[:50]
        )

    base = measure(f"baseline: the first 50 of {count:,} inspections, no join [{args.db}]", baseline)
    client = Client()
    client.force_login(regulator)
    url = reverse("supervision:inspections")

    def page(path: str, who: Client) -> object:
        response = who.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def timed_page(name: str, path: str, who: Client) -> None:
        p50 = measure(f"{name} [{args.db}]", lambda: page(path, who), goal=GOAL)
        common.report(f"{name}: ratio to the baseline", p50 / base, "×")

    timed_page(f"{url} as the city regulator", url, client)
    timed_page(f"{url}?status=submitted as the city regulator", url + "?status=submitted", client)
    county = Client()
    county.force_login(county_user)
    timed_page(f"{url} as a county regulator", url, county)
    try:
        cases_url = reverse("supervision:cases")
    except NoReverseMatch:
        print("# the case list is not there yet: not measured", flush=True)
        return 0
    timed_page(f"{cases_url} as the city regulator", cases_url, client)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
