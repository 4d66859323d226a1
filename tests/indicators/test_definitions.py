"""Each indicator definition on a small city whose right answer is known by hand.

The ``city`` fixture: 阜新市 with counties 甲县 (A) and 乙县 (B), the city institute seated at the city, owner A (a
market fair in A) and owner B (a petrol station in B). Every figure is asked for on an explicit day; the expected
numbers are literals with the reason beside them.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from jiliang.core.models import Organization, Region
from jiliang.indicators.models import ENTERED_DEFINITIONS, Definition, EnteredFigure, Indicator
from jiliang.indicators.selectors import definitions
from jiliang.indicators.selectors.definitions import DEFINITION_TEXT, Figure, indicator_figures
from jiliang.instruments import tally
from jiliang.people.models import Person, Qualification
from jiliang.standards.models import (
    Authorization,
    EquipmentCertificate,
    ExternalAuthority,
    Standard,
    StandardEquipment,
)
from jiliang.standards.selectors.coverage import coverage_report
from jiliang.verification.models import (
    Certificate,
    CertificateRevocation,
    RequestItem,
    ServiceRequest,
    VerificationRecord,
)
from tests.factories import InstrumentFactory, OrganizationFactory, catalog_item, credit_code

pytestmark = pytest.mark.django_db

DAY = date(2024, 6, 30)
SINCE = date(2021, 1, 1)  # a plan starting in 2021 (the Yan'an plan)
LONG_AGO = date(2020, 1, 1)
_numbers = itertools.count(1)


# -------------------------------------------------------------------------------------------------- helpers


def figures(selector, city, *, day=DAY, **kwargs) -> dict[int, Figure]:
    return selector(city=city.city, counties=[city.county_a, city.county_b], day=day, **kwargs)


def values(result: dict[int, Figure], city) -> tuple:
    """(city, county A, county B) values."""
    return tuple(result[r.pk].value for r in (city.city, city.county_a, city.county_b))


def fractions(result: dict[int, Figure], city) -> tuple:
    """(city, county A, county B) as (numerator, denominator) pairs."""
    return tuple((result[r.pk].numerator, result[r.pk].denominator) for r in (city.city, city.county_a, city.county_b))


def org(name, kind, region, category=Organization.Category.OTHER) -> Organization:
    return OrganizationFactory(name=name, kind=kind, region=region, category=category, credit_code=credit_code())


def instrument(owner, *, item="02", usage="trade", status="in_use", registered=LONG_AGO, verified=None):
    """An instrument; ``verified`` becomes a declared passing record giving the catalog row's due date."""
    return InstrumentFactory(
        owner=owner,
        catalog_item=catalog_item(item),
        usage=usage,
        status=status,
        registered_on=registered,
        last_verified_on=verified,
    )


def record(instr, performed_on, *, next_due_on=None, conclusion="pass", kind="verification"):
    """A further declared record (the instrument's own fields are not touched: these selectors read records)."""
    return VerificationRecord.objects.create(
        instrument=instr,
        kind=kind,
        source=VerificationRecord.Source.DECLARED,
        conclusion=conclusion,
        performed_on=performed_on,
        next_due_on=next_due_on,
    )


# -------------------------------------------------------------------------------------------------- coverage


def test_coverage_counts_in_use_mandatory_instruments_with_a_valid_verification_on_the_day(city):
    owner_city = org("市出租汽车公司", Organization.Kind.OWNER, city.city)
    for _ in range(3):
        instrument(city.owner_a, verified=date(2024, 1, 10))  # due 2025-01-09: valid on DAY
    instrument(city.owner_a, verified=date(2023, 1, 1))  # due 2023-12-31: overdue on DAY
    instrument(city.owner_a)  # never verified
    instrument(city.owner_a, status="stopped", verified=date(2024, 1, 10))  # not in use: not counted
    instrument(city.owner_a, status="scrapped")  # not in use: not counted
    instrument(city.owner_a, item="25", usage="other", verified=date(2024, 1, 10))  # not mandatory: not counted
    instrument(city.owner_a, registered=date(2024, 7, 1), verified=date(2024, 1, 10))  # registered after DAY
    instrument(city.owner_b, verified=date(2024, 1, 10))
    instrument(owner_city, verified=date(2024, 2, 1))  # seated at the city: in the city's figure only

    result = figures(definitions.coverage, city)

    # A: 3 of 5 (the overdue one and the never verified one are not covered); B: 1 of 1;
    # city: 3 + 1 + the one seated at the city = 5 of 7.
    assert fractions(result, city) == ((5, 7), (3, 5), (1, 1))
    assert values(result, city) == (Decimal("71.43"), Decimal("60.00"), Decimal("100.00"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 11, 30), None),  # not registered yet: nothing to measure
        (date(2022, 12, 15), Decimal("0.00")),  # registered, first verification still to come
        (date(2023, 6, 1), Decimal("100.00")),  # within the 2023-01-01 verification
        (date(2023, 12, 31), Decimal("100.00")),  # the due date itself is still covered
        (date(2024, 1, 1), Decimal("0.00")),  # overdue
        (date(2024, 2, 29), Decimal("0.00")),  # still overdue the day before the re-verification
        (date(2024, 3, 1), Decimal("100.00")),  # re-verified that day
    ],
)
def test_coverage_on_a_past_day_reads_the_records_valid_that_day(city, day, expected):
    scale = instrument(city.owner_a, registered=date(2022, 12, 1), verified=date(2023, 1, 1))  # due 2023-12-31
    record(scale, date(2024, 3, 1), next_due_on=date(2025, 2, 28))

    assert figures(definitions.coverage, city, day=day)[city.county_a.pk].value == expected


def signatories(city) -> tuple[Person, Person, Person]:
    return tuple(
        Person.objects.create(organization=city.institute, name=name, title=Person.Title.INTERMEDIATE)
        for name in ("王检定", "李核验", "张批准")
    )


def platform_record(instr, performed_on, people, *, conclusion="pass", corrects=None) -> VerificationRecord:
    verifier, checker, approver = people
    return VerificationRecord.objects.create(
        instrument=instr,
        kind="verification",
        source=VerificationRecord.Source.PLATFORM,
        institute=verifier.organization,
        performed_on=performed_on,
        conclusion=conclusion,
        verifier=verifier,
        checker=checker,
        approver=approver,
        next_due_on=performed_on + timedelta(days=364) if conclusion == "pass" else None,
        corrects=corrects,
    )


def certificate(rec: VerificationRecord, *, supersedes=None) -> Certificate:
    n = next(_numbers)
    kind = Certificate.Kind.VERIFICATION if rec.conclusion == "pass" else Certificate.Kind.FAILURE_NOTICE
    return Certificate.objects.create(
        number=f"CSJL-JD-{n:06d}",
        kind=kind,
        record=rec,
        institute=rec.institute,
        owner=rec.instrument.owner,
        region=rec.instrument.region,
        instrument=rec.instrument,
        year=rec.performed_on.year,
        sequence=n,
        issued_on=rec.performed_on,
        valid_until=rec.next_due_on,
        token=f"token-{n:06d}",
        document={},
        signature="test",
        key_id="test",
        issued_at=timezone.now(),
        supersedes=supersedes,
    )


def test_a_revoked_or_superseded_certificate_does_not_count_as_a_valid_verification(city):
    people = signatories(city)
    standing, revoked, superseded = (instrument(city.owner_a) for _ in range(3))
    certificate(platform_record(standing, date(2024, 3, 1), people))
    revoked_certificate = certificate(platform_record(revoked, date(2024, 3, 1), people))
    CertificateRevocation.objects.create(
        certificate=revoked_certificate, reason="送检单位信息有误", revoked_at=timezone.now(), revoked_by=city.admin
    )
    first = platform_record(superseded, date(2024, 3, 1), people)
    first_certificate = certificate(first)
    # The correction found the instrument out of tolerance: its notice supersedes the passing certificate.
    correction = platform_record(superseded, date(2024, 3, 1), people, conclusion="fail", corrects=first)
    certificate(correction, supersedes=first_certificate)

    result = figures(definitions.coverage, city)

    # 1 of 3: only the standing certificate's instrument is covered.
    assert result[city.county_a.pk] == Figure(Decimal("33.33"), 1, 3)


def test_coverage_today_equals_the_due_tally_behind_the_home_page(city):
    today = timezone.localdate()
    owner_city = org("市出租汽车公司", Organization.Kind.OWNER, city.city)
    for owner in (city.owner_a, city.owner_a, city.owner_b, owner_city):
        InstrumentFactory(owner=owner, last_verified_on=today - timedelta(days=100))  # valid
    InstrumentFactory(owner=city.owner_a, last_verified_on=today - timedelta(days=350))  # due soon: still covered
    InstrumentFactory(owner=city.owner_b, last_verified_on=today - timedelta(days=400))  # overdue
    InstrumentFactory(owner=city.owner_b, last_verified_on=None)  # never verified
    InstrumentFactory(owner=city.owner_a, catalog_item=catalog_item("08"), last_verified_on=today - timedelta(days=200))
    InstrumentFactory(owner=city.owner_a, status="stopped", last_verified_on=None)  # not in either count

    result = figures(definitions.coverage, city, day=today)

    rows = tally.due_state_counts_by_region(None, today=today, soon_days=settings.JILIANG_DUE_SOON_DAYS)
    by_region = {r["region"]: r for r in rows}

    def from_tally(region_ids):
        picked = [by_region[r] for r in region_ids if r in by_region]
        covered = sum(r["valid"] + r["due_soon"] for r in picked)
        total = sum(r["valid"] + r["due_soon"] + r["overdue"] + r["never"] for r in picked)
        return covered, total

    all_ids = [city.city.pk, city.county_a.pk, city.county_b.pk]
    assert fractions(result, city) == (
        from_tally(all_ids),
        from_tally([city.county_a.pk]),
        from_tally([city.county_b.pk]),
    )
    # And by hand: A 3 of 4 (two valid, one due soon; the 6-monthly dispenser verified 200 days ago is overdue),
    # B 1 of 3 (overdue, never verified), the city 5 of 8 with the one seated at the city.
    assert fractions(result, city) == ((5, 8), (3, 4), (1, 3))


def test_coverage_of_a_county_without_instruments_is_none_not_zero(city):
    instrument(city.owner_a, verified=date(2024, 1, 10))

    result = figures(definitions.coverage, city)

    assert result[city.county_b.pk] == Figure(None, 0, 0)
    assert result[city.city.pk].value == Decimal("100.00")


# -------------------------------------------------------------------------------------------------- verified rate


@pytest.fixture
def due_in_period(city):
    """The 12 months ending on DAY run from 2023-07-01 to 2024-06-30. Scales (02) are key-controlled, platform
    scales (03) are not; both have 12-month intervals (due date = verified + 12 months − 1 day)."""
    a = city.owner_a
    v1 = instrument(a, verified=date(2023, 3, 1))  # due 2024-02-29 …
    record(v1, date(2024, 2, 20), next_due_on=date(2025, 2, 19))  # … and verified in the period
    instrument(a, verified=date(2023, 3, 1))  # due 2024-02-29, not verified since
    instrument(a, item="16", verified=date(2023, 6, 1))  # water meter, 24 months: in force all period, not due
    instrument(a)  # never verified: due
    v5 = instrument(a, verified=date(2022, 9, 1))  # due 2023-08-31 …
    record(v5, date(2023, 9, 5), conclusion="fail")  # … verified in the period, failed: still verified (受检)
    v6 = instrument(a, verified=date(2023, 3, 1))  # due 2024-02-29 …
    record(v6, date(2024, 1, 10), kind="calibration", conclusion="calibrated")  # … a calibration is no verification
    instrument(a, registered=date(2024, 7, 10))  # registered after the period: not counted
    instrument(a, status="stopped", verified=date(2023, 3, 1))  # not in use: not counted
    v9 = instrument(a, item="03", verified=date(2023, 3, 1))  # not key-controlled, due …
    record(v9, date(2024, 3, 1), next_due_on=date(2025, 2, 28))  # … and verified
    w1 = instrument(city.owner_b, verified=date(2022, 8, 1))  # due 2023-07-31 …
    record(w1, date(2023, 8, 1), next_due_on=date(2024, 7, 31))  # … verified a day late, within the period


def test_verified_rate_is_verified_in_the_12_months_over_those_due_in_them(city, due_in_period):
    result = figures(definitions.verified_rate, city)

    # A: due v1, v2, v4 (never), v5, v6, v9 = 6; verified v1, v5 (failed counts), v9 = 3. B: w1, 1 of 1.
    assert fractions(result, city) == ((4, 7), (3, 6), (1, 1))
    assert values(result, city) == (Decimal("57.14"), Decimal("50.00"), Decimal("100.00"))


def test_key_controlled_verified_rate_leaves_out_items_outside_the_key_controlled_catalog(city, due_in_period):
    result = figures(definitions.verified_rate_key_controlled, city)

    # As above without v9 (row 03 is not key-controlled): A 2 of 5, B 1 of 1.
    assert fractions(result, city) == ((3, 6), (2, 5), (1, 1))
    assert values(result, city) == (Decimal("50.00"), Decimal("40.00"), Decimal("100.00"))


def test_the_verified_rate_period_ends_on_the_day_and_starts_a_year_before():
    assert definitions._year_before(date(2024, 6, 30)) == date(2023, 7, 1)
    assert definitions._year_before(date(2024, 2, 29)) == date(2023, 3, 1)  # no 29 February in 2023


# -------------------------------------------------------------------------------------------------- standards


def make_standard(holder, code, *, level, public=True, highest=False, items=(), established=None, **dates):
    """A standard valid on DAY unless ``dates`` say otherwise (cert_until, equipment_until, status)."""
    authority, _created = ExternalAuthority.objects.get_or_create(
        name="辽宁省计量科学研究院", defaults={"level": ExternalAuthority.Level.PROVINCIAL}
    )
    standard = Standard.objects.create(
        holder=holder,
        name=f"检定装置 {code}",
        code=code,
        measurand="质量",
        is_public=public,
        is_highest=highest,
        level=level,
        certificate_number=f"CERT-{code}",
        certificate_issued_on=date(2021, 1, 1),
        certificate_valid_until=dates.get("cert_until", date(2025, 12, 31)),
        status=dates.get("status", Standard.Status.ACTIVE),
        established_on=established,
    )
    standard.catalog_items.set([catalog_item(c) for c in items])
    equipment = StandardEquipment.objects.create(standard=standard, name="标准器", serial_number=f"EQ-{code}")
    EquipmentCertificate.objects.create(
        equipment=equipment,
        issuer_authority=authority,
        number=f"EC-{code}",
        issued_on=date(2024, 1, 1),
        valid_until=dates.get("equipment_until", date(2024, 12, 31)),
    )
    return standard


@pytest.fixture
def standards(city):
    """City institute (seated at the city), institute A (county A), institute B (county B), owner B's own lab."""
    CITY, COUNTY = Standard.Level.CITY, Standard.Level.COUNTY
    institute_a = org("甲县计量所", Organization.Kind.INSTITUTE, city.county_a)
    institute_b = org("乙县计量所", Organization.Kind.INSTITUTE, city.county_b)
    c = city.institute
    make_standard(c, "S1", level=CITY, items=["02"], established=date(2019, 5, 1))  # valid
    make_standard(c, "S2", level=CITY, items=["03"], established=date(2022, 3, 1), cert_until=date(2024, 6, 29))
    make_standard(c, "S3", level=CITY, items=["03"], equipment_until=date(2024, 6, 1))  # equipment lapsed
    make_standard(c, "S4", level=CITY, items=["03"], status=Standard.Status.RETIRED)
    make_standard(c, "S5", level=CITY, public=False, highest=True)  # highest, not public
    make_standard(c, "S6", level=CITY, highest=True, items=["08"], established=date(2021, 3, 1))  # both
    make_standard(institute_a, "A1", level=COUNTY, items=["22"], established=date(2024, 7, 15))  # after DAY
    make_standard(institute_a, "A2", level=COUNTY, items=["02"], established=date(2023, 5, 1))
    make_standard(institute_a, "A3", level=COUNTY, items=["25"], cert_until=date(2024, 1, 1))  # expired
    make_standard(institute_a, "A4", level=COUNTY, public=False, items=["21"], established=date(2023, 1, 1))
    make_standard(city.owner_b, "E1", level=Standard.Level.ENTERPRISE, public=False, items=["25"])
    return institute_a, institute_b


def test_public_standards_city_counts_valid_public_city_level_standards_for_the_city_only(city, standards):
    result = figures(definitions.public_standards_city, city)

    # S1 and S6: S2's assessment certificate expired, S3's equipment lapsed, S4 retired, S5 is not public.
    assert values(result, city) == (Decimal("2"), None, None)


def test_public_standards_county_avg_is_the_counties_total_over_the_number_of_counties(city, standards):
    result = figures(definitions.public_standards_county_avg, city)

    # A: A1 and A2 (A3 expired, A4 not public); B: none. City: 2 standards ÷ 2 counties.
    assert values(result, city) == (Decimal("1.00"), Decimal("2"), Decimal("0"))
    assert (result[city.city.pk].numerator, result[city.city.pk].denominator) == (2, 2)


def test_highest_standards_counts_valid_city_level_highest_standards_public_or_not(city, standards):
    result = figures(definitions.highest_standards, city)

    assert values(result, city) == (Decimal("2"), None, None)  # S5 and S6


def test_new_standards_counts_public_standards_established_in_the_period_whatever_their_state(city, standards):
    result = figures(definitions.new_standards, city, since=SINCE)

    # S2 (2022, expired since: still counted), S6 (2021), A2 (2023). Not S1 (2019), A1 (after DAY), A4 (not public).
    assert values(result, city) == (Decimal("3"), Decimal("1"), Decimal("0"))


def test_standard_coverage_is_the_coverage_report_of_the_standards_app(city, standards):
    instrument(city.owner_a, item="02")
    instrument(city.owner_a, item="22", usage="medical")
    instrument(city.owner_b, item="03")
    instrument(city.owner_b, item="08")

    result = figures(definitions.standard_coverage, city)

    # City: items 02, 22, 03, 08 — covered 02 (S1), 22 (A1), 08 (S6); 03 has no valid public standard: 3 of 4.
    # A: 02 and 22, covered by its own or the city's standards: 2 of 2. B: 08 by the city's S6, not 03: 1 of 2.
    assert fractions(result, city) == ((3, 4), (2, 2), (1, 2))
    assert values(result, city) == (Decimal("75.00"), Decimal("100.00"), Decimal("50.00"))
    report = coverage_report(city.city, day=DAY)
    assert (report.root.numerator, report.root.denominator) == fractions(result, city)[0]


def test_items_offered_unites_authorized_items_and_items_of_valid_standards(city, standards):
    _institute_a, institute_b = standards
    in_force = Authorization.objects.create(
        institute=city.institute,
        issued_by=city.city_bureau,
        number="AUTH-1",
        valid_from=date(2022, 1, 1),
        valid_until=date(2026, 12, 31),
    )
    in_force.catalog_items.set([catalog_item("02"), catalog_item("03")])
    revoked = Authorization.objects.create(
        institute=institute_b,
        issued_by=city.bureau_b,
        number="AUTH-2",
        valid_from=date(2022, 1, 1),
        valid_until=date(2026, 12, 31),
        revoked_on=date(2024, 6, 30),
    )
    revoked.catalog_items.set([catalog_item("21")])
    expired = Authorization.objects.create(
        institute=institute_b,
        issued_by=city.bureau_b,
        number="AUTH-3",
        valid_from=date(2020, 1, 1),
        valid_until=date(2023, 12, 31),
    )
    expired.catalog_items.set([catalog_item("22")])

    result = figures(definitions.items_offered, city)

    # City seat: authorized 02, 03 ∪ valid standards S1 (02), S6 (08) = {02, 03, 08}.
    # A: valid standards A1 (22), A2 (02), A4 (21: public or not, an institute offers it); A3 expired = 3 items.
    # B: an authorization revoked on DAY, one expired, owner B's own lab (not an institute) = none.
    # City: {02, 03, 08, 21, 22} — 02 once.
    assert values(result, city) == (Decimal("5"), Decimal("3"), Decimal("0"))


# -------------------------------------------------------------------------------------------------- people


def person(organization, name, *, title=Person.Title.NONE, hired=None, left=None) -> Person:
    return Person.objects.create(organization=organization, name=name, title=title, hired_on=hired, left_on=left)


def qualify(who: Person, kind: str, issued_on: date) -> Qualification:
    n = next(_numbers)
    return Qualification.objects.create(
        person=who,
        kind=kind,
        grade="2" if kind == Qualification.Kind.REGISTERED_METROLOGIST else "",
        number=f"Q-{n:06d}",
        issued_on=issued_on,
        valid_until=issued_on + timedelta(days=5 * 365),
    )


@pytest.fixture
def qualified(city):
    K = Qualification.Kind
    institute_a = org("甲县计量所", Organization.Kind.INSTITUTE, city.county_a)
    qualify(person(city.institute, "一"), K.REGISTERED_METROLOGIST, date(2022, 3, 1))  # new
    renewed = person(city.institute, "二")
    qualify(renewed, K.REGISTERED_METROLOGIST, date(2019, 3, 1))
    qualify(renewed, K.REGISTERED_METROLOGIST, date(2024, 3, 1))  # a renewal: registered before the period
    qualify(person(city.institute, "三"), K.REGISTERED_METROLOGIST, date(2024, 8, 1))  # after DAY
    both = person(city.institute, "四")
    qualify(both, K.STANDARD_ASSESSOR, date(2022, 1, 1))
    qualify(both, K.INSTITUTE_ASSESSOR, date(2023, 1, 1))  # one person, two assessor kinds: one assessor
    qualify(person(city.institute, "五"), K.VERIFIER, date(2022, 1, 1))  # a verifier is neither
    in_a = person(institute_a, "六")
    qualify(in_a, K.REGISTERED_METROLOGIST, date(2023, 6, 1))
    qualify(in_a, K.INSTITUTE_ASSESSOR, date(2023, 6, 1))
    qualify(person(city.owner_b, "七"), K.REGISTERED_METROLOGIST, date(2021, 1, 1))  # an enterprise's, first day


def test_metrologists_added_counts_persons_first_registered_in_the_period(city, qualified):
    result = figures(definitions.metrologists_added, city, since=SINCE)

    # 一 (city), 六 (A), 七 (B, an enterprise's staff, on the period's first day); not 二 (renewal) nor 三 (late).
    assert values(result, city) == (Decimal("3"), Decimal("1"), Decimal("1"))


def test_assessors_added_counts_each_new_institute_or_standard_assessor_once(city, qualified):
    result = figures(definitions.assessors_added, city, since=SINCE)

    assert values(result, city) == (Decimal("2"), Decimal("1"), Decimal("0"))  # 四 (two kinds, once) and 六


@pytest.fixture
def staffed(city):
    S, M, J, N = Person.Title.SENIOR, Person.Title.INTERMEDIATE, Person.Title.JUNIOR, Person.Title.NONE
    c = city.institute
    person(c, "高一", title=S, hired=date(2010, 1, 1))
    person(c, "高二", title=S)  # no hiring date on record: on staff
    for name in ("中一", "中二", "中三"):
        person(c, name, title=M)
    person(c, "初一", title=J)
    person(c, "无一", title=N)
    person(c, "高走", title=S, left=date(2024, 1, 1))  # left before DAY
    person(c, "高今", title=S, left=DAY)  # left on DAY: no longer on staff that day
    person(c, "高新", title=S, hired=date(2024, 8, 1))  # hired after DAY
    person(city.city_bureau, "局高", title=S)  # a regulator's staff: not an institute
    institute_a = org("甲县计量所", Organization.Kind.INSTITUTE, city.county_a)
    person(institute_a, "甲高", title=S)
    person(institute_a, "甲中", title=M)
    person(institute_a, "甲初一", title=J)
    person(institute_a, "甲初二", title=J)
    person(city.owner_a, "市场高", title=S)  # an owner's staff: not an institute
    org("乙县计量所", Organization.Kind.INSTITUTE, city.county_b)  # no staff at all


def test_senior_title_ratio_city_is_the_share_among_city_institute_staff_on_the_day(city, staffed):
    result = figures(definitions.senior_title_ratio_city, city)

    # On staff: 高一, 高二, 中一–三, 初一, 无一 = 7; senior 2 of 7. County institutes are not in it.
    assert result[city.city.pk] == Figure(Decimal("28.57"), 2, 7)
    assert values(result, city)[1:] == (None, None)


def test_intermediate_title_ratio_city_counts_intermediate_titles_only(city, staffed):
    result = figures(definitions.intermediate_title_ratio_city, city)

    assert result[city.city.pk] == Figure(Decimal("42.86"), 3, 7)  # 中一–三 of 7


def test_county_title_ratios_pool_the_county_institutes_and_a_county_without_staff_is_none(city, staffed):
    senior = figures(definitions.senior_title_ratio_county, city)
    intermediate = figures(definitions.intermediate_title_ratio_county, city)

    # A: 甲高 of 4; B's institute has no staff: nothing to measure. City: pooled A + B = 1 of 4 (the city
    # institute's staff are not county staff).
    assert fractions(senior, city) == ((1, 4), (1, 4), (0, 0))
    assert values(senior, city) == (Decimal("25.00"), Decimal("25.00"), None)
    assert values(intermediate, city) == (Decimal("25.00"), Decimal("25.00"), None)


# -------------------------------------------------------------------------------------------------- fees


def request(city, owner, items, *, at, service="verification", status=ServiceRequest.Status.COMPLETED):
    """A request of ``owner`` submitted at local time ``at``, with (instrument, fee, waived) items."""
    submitted = timezone.make_aware(at)
    req = ServiceRequest.objects.create(
        number=f"SQ-{next(_numbers):06d}",
        owner=owner,
        region=owner.region,
        institute=city.institute,
        service=service,
        place=ServiceRequest.Place.SEND_IN,
        status=status,
        submitted_at=submitted,
        accept_by=submitted.date() + timedelta(days=5),
        created_by=city.admin,
    )
    for instr, fee, waived in items:
        RequestItem.objects.create(request=req, instrument=instr, fee=Decimal(fee), waived=Decimal(waived))
    return req


def test_fee_waived_share_is_fully_waived_items_over_items_the_free_verification_covers(city):
    a = city.owner_a  # a market fair: covered by the free verification
    clinic = org("乙县某镇卫生院", Organization.Kind.OWNER, city.county_b, Organization.Category.TOWNSHIP_CLINIC)
    i1, i2, i3, i4 = (instrument(a) for _ in range(4))
    not_mandatory = instrument(a, item="25", usage="other")
    petrol = instrument(city.owner_b, item="08")
    clinic_meter = instrument(clinic, item="22", usage="medical")
    request(city, a, [(i1, "30", "30"), (i2, "30", "0"), (not_mandatory, "30", "0")], at=datetime(2024, 3, 1, 9))
    request(city, a, [(i3, "30", "0")], at=datetime(2024, 3, 2, 9), status=ServiceRequest.Status.WITHDRAWN)
    request(city, a, [(i4, "30", "0")], at=datetime(2024, 3, 3, 9), status=ServiceRequest.Status.REJECTED)
    request(city, a, [(i1, "80", "0")], at=datetime(2024, 3, 4, 9), service="calibration")
    request(city, city.owner_b, [(petrol, "50", "0")], at=datetime(2024, 3, 5, 9))  # petrol station: not covered
    request(city, clinic, [(clinic_meter, "40", "40")], at=datetime(2024, 5, 1, 9))
    request(city, a, [(i3, "30", "30")], at=datetime(2024, 6, 30, 23, 30))  # late on DAY, Beijing time: counted
    request(city, a, [(i4, "30", "0")], at=datetime(2024, 7, 1, 0, 0))  # the next day: not counted
    request(city, a, [(i2, "30", "0")], at=datetime(2014, 12, 31, 9))  # before the plan period: not counted

    result = figures(definitions.fee_waived_share, city, since=date(2015, 1, 1))

    # A eligible: i1, i2 (first request) and i3 (late on DAY); waived i1 and i3: 2 of 3. B: the clinic's, 1 of 1.
    assert fractions(result, city) == ((3, 4), (2, 3), (1, 1))
    assert values(result, city) == (Decimal("75.00"), Decimal("66.67"), Decimal("100.00"))


# -------------------------------------------------------------------------------------------------- entered


def enter(indicator, region, value, as_of, user, *, corrects=None) -> EnteredFigure:
    return EnteredFigure.objects.create(
        indicator=indicator,
        region=region,
        value=Decimal(value),
        as_of=as_of,
        source_title="市市场监管局年度工作总结",
        source_date=as_of,
        corrects=corrects,
        note="更正笔误" if corrects else "",
        entered_by=user,
    )


def test_an_entered_figure_is_the_latest_uncorrected_entry_of_each_region(city):
    indicator = Indicator.objects.get(plan__code="fuxin-2015", code="model-units")
    user = city.city_regulator
    first = enter(indicator, city.city, "10", date(2023, 12, 31), user)
    fixed_first = enter(indicator, city.city, "11", date(2023, 12, 31), user, corrects=first)
    second = enter(indicator, city.city, "20", date(2024, 6, 30), user)
    fixed_second = enter(indicator, city.city, "22", date(2024, 6, 30), user, corrects=second)
    later = enter(indicator, city.city, "30", date(2024, 12, 31), user)
    county_a = enter(indicator, city.county_a, "5", date(2024, 3, 31), city.county_regulator_a)
    other = Indicator.objects.get(plan__code="yanan-2021", definition=Definition.MODEL_UNITS)
    enter(other, city.county_b, "99", date(2024, 3, 31), user)  # another indicator's entry: not this one's

    def on(day):
        return definitions.entered_figure(
            indicator=indicator, city=city.city, counties=[city.county_a, city.county_b], day=day
        )

    # On DAY: the city's correction (22) replaces 20; the city is its own entry, not A's 5 summed in; B none.
    assert on(DAY)[city.city.pk] == Figure(Decimal("22.00"), entered_figure_id=fixed_second.pk)
    assert on(DAY)[city.county_a.pk] == Figure(Decimal("5.00"), entered_figure_id=county_a.pk)
    assert on(DAY)[city.county_b.pk] == Figure(None)
    # Earlier, the corrected first entry gives way to its correction; later, the newer entry wins.
    assert on(date(2024, 1, 31))[city.city.pk].entered_figure_id == fixed_first.pk
    assert on(date(2025, 1, 1))[city.city.pk].entered_figure_id == later.pk
    assert on(date(2023, 12, 30))[city.city.pk] == Figure(None)


# -------------------------------------------------------------------------------------------------- dispatch


def test_every_definition_has_its_words_and_a_selector():
    computed = {**definitions.ON_DAY, **definitions.IN_PLAN_PERIOD}
    for definition in Definition:
        assert str(DEFINITION_TEXT[definition]).strip(), definition
        assert (definition in computed) != (definition in ENTERED_DEFINITIONS), definition


def test_every_shipped_indicator_gives_a_figure_for_the_city_and_each_county(city):
    instrument(city.owner_a, verified=date(2024, 1, 10))
    indicators = list(Indicator.objects.select_related("plan"))
    assert len(indicators) == 25

    for indicator in indicators:
        result = indicator_figures(indicator, city=city.city, counties=[city.county_a, city.county_b], day=DAY)
        assert set(result) == {city.city.pk, city.county_a.pk, city.county_b.pk}, indicator.code
        assert all(isinstance(f, Figure) for f in result.values())


def test_plan_period_definitions_count_from_the_first_of_january_of_the_plans_first_year(city, standards):
    fuxin = Indicator.objects.select_related("plan").get(plan__code="fuxin-2015", definition=Definition.NEW_STANDARDS)
    yanan = Indicator.objects.select_related("plan").get(plan__code="yanan-2021", definition=Definition.NEW_STANDARDS)
    counties = [city.county_a, city.county_b]

    # From 2015 the 2019 standard S1 counts too (S1, S2, S6, A2); from 2021 it does not (S2, S6, A2).
    assert indicator_figures(fuxin, city=city.city, counties=counties, day=DAY)[city.city.pk].value == Decimal("4")
    assert indicator_figures(yanan, city=city.city, counties=counties, day=DAY)[city.city.pk].value == Decimal("3")


def test_a_region_below_a_county_counts_in_that_county_and_the_city(city):
    zone = Region.objects.create(code="210921100", name="甲县开发区", level=Region.Level.COUNTY, parent=city.county_a)
    instrument(org("开发区市场", Organization.Kind.OWNER, zone), verified=date(2024, 1, 10))

    result = figures(definitions.coverage, city)

    assert fractions(result, city) == ((1, 1), (1, 1), (0, 0))
