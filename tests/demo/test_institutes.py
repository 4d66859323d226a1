"""The demo city's institutes: standards, traceability, staff, authorizations; deterministic and realistic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jiliang.catalog.models import CatalogItem
from jiliang.core.models import Organization, Region, User
from jiliang.demo import city, institutes
from jiliang.demo.names import CITIES
from jiliang.demo.standards_data import UNCOVERED_ITEMS
from jiliang.metrology import uscc
from jiliang.metrology.due import add_months
from jiliang.people.models import Expert, Person, Qualification
from jiliang.standards.models import (
    Authorization,
    EquipmentCertificate,
    ExternalAuthority,
    Standard,
    StandardEquipment,
)
from jiliang.standards.selectors.standards import standard_validity, valid_standards, with_validity_data
from tests.factories import wipe_instruments

TODAY = date(2026, 3, 16)
N = 500


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build(seed: int = 1) -> city.SeedResult:
    """One city (阜新市, seven counties) for the checks of one city's institutes; see the test of both below."""
    result = city.build_city(seed=seed, instruments=N, today=TODAY, cities=("fuxin",))
    if not Standard.objects.exists():
        # build_city does not call build_institutes yet: the call waits until tests/demo/test_seed.py's wipe()
        # removes the institutes' rows (they protect the organizations) before the organizations.
        institutes.build_institutes(seed=seed, today=TODAY, city=CITIES["fuxin"])
    return result


def wipe() -> None:
    institutes.delete_institutes()
    wipe_instruments()
    User.objects.all().delete()
    Organization.objects.all().delete()


@pytest.fixture
def seeded(db) -> city.SeedResult:
    return build()


def test_same_seed_builds_identical_standards_equipment_certificates_and_staff(db):
    build(seed=3)
    first = institutes.institutes_digest()
    counts = (Standard.objects.count(), EquipmentCertificate.objects.count(), Person.objects.count())
    wipe()
    build(seed=3)
    assert institutes.institutes_digest() == first
    assert (Standard.objects.count(), EquipmentCertificate.objects.count(), Person.objects.count()) == counts


def test_different_seeds_give_different_institutes(db):
    build(seed=1)
    first = institutes.institutes_digest()
    wipe()
    build(seed=2)
    assert institutes.institutes_digest() != first


def test_institutes_leave_the_city_itself_as_it_was(db, monkeypatch):
    """The institutes draw from their own stream: the city (organizations, users, instruments) is unchanged."""
    build(seed=5)
    with_institutes = city.city_digest()
    wipe()
    monkeypatch.setattr(institutes, "build_institutes", lambda **kwargs: None)
    city.build_city(seed=5, instruments=N, today=TODAY, cities=("fuxin",))
    assert not Standard.objects.exists()
    assert city.city_digest() == with_institutes


def test_about_two_hundred_public_standards_most_at_the_city(seeded):
    public = Standard.objects.filter(is_public=True)
    assert 180 <= public.count() <= 230
    at_city = public.filter(level=Standard.Level.CITY).count()
    assert 90 <= at_city <= 120
    county_institutes = Organization.objects.filter(kind=Organization.Kind.INSTITUTE, region__level="county")
    assert county_institutes.count() == 7
    for institute in county_institutes:
        assert institute.standards.filter(is_public=True, level=Standard.Level.COUNTY).count() >= 8
    assert public.filter(is_highest=True).exists()
    assert not public.exclude(holder__kind=Organization.Kind.INSTITUTE).exists()


def test_the_instruments_the_city_needs_have_their_standards(seeded):
    city_institute = Organization.objects.get(kind=Organization.Kind.INSTITUTE, region__level="city")
    names_by_item = {
        "02": "E2等级砝码标准装置",
        "08": "二等标准金属量器标准装置",
        "22": "血压计检定装置",
        "21": "出租汽车计价器检定装置",
        "14": "水表检定装置",
    }
    for code, name in names_by_item.items():
        standard = city_institute.standards.filter(name=name).order_by("code").first()
        assert standard.catalog_items.filter(code=code).exists()
        assert standard.procedures.exists()
        assert standard.equipment.count() >= 1


def test_every_standard_has_one_to_four_pieces_of_equipment_each_with_certificates(seeded):
    for standard in Standard.objects.prefetch_related("equipment__certificates"):
        pieces = list(standard.equipment.all())
        assert 1 <= len(pieces) <= 4, standard
        for piece in pieces:
            assert piece.certificates.all(), piece
    assert StandardEquipment.objects.filter(role=StandardEquipment.Role.ANCILLARY).exists()


def test_assessment_certificates_are_four_years_a_few_expiring_two_expired_one_suspended(seeded):
    standards = list(Standard.objects.all())
    for s in standards:
        assert s.certificate_valid_until == add_months(s.certificate_issued_on, 48) - timedelta(days=1)
    expired = [s for s in standards if s.certificate_valid_until < TODAY]
    assert len(expired) == 2
    assert all(s.level == Standard.Level.COUNTY for s in expired)
    soon = [s for s in standards if TODAY <= s.certificate_valid_until <= TODAY + timedelta(days=183)]
    assert 3 <= len(soon) <= 60
    assert Standard.objects.filter(status=Standard.Status.SUSPENDED).count() == 1
    recent = [s for s in standards if s.certificate_valid_until >= TODAY]
    assert all(TODAY - timedelta(days=4 * 366) <= s.certificate_issued_on <= TODAY for s in recent)


def _chain_depth(certificate: EquipmentCertificate) -> tuple[int, str]:
    """Levels from a certificate's equipment to the end of its chain (following the latest certificate of the
    issuer's standard equipment), and the name of the last authority."""
    depth, current = 1, certificate
    while current.issuer_standard_id is not None:
        upstream = (
            EquipmentCertificate.objects.filter(
                equipment__standard=current.issuer_standard, equipment__role=StandardEquipment.Role.STANDARD
            )
            .order_by("-valid_until", "number")
            .first()
        )
        assert upstream is not None
        depth, current = depth + 1, upstream
    authority = current.issuer_authority
    while authority is not None:
        depth += 1
        if authority.traces_to is None:
            return depth, authority.name
        authority = authority.traces_to
    raise AssertionError("a chain that ends nowhere")


def test_a_county_standard_traces_through_the_city_and_the_province_to_nim(seeded):
    nim = ExternalAuthority.objects.get(level=ExternalAuthority.Level.NATIONAL)
    assert nim.name == "中国计量科学研究院" and nim.traces_to is None
    provincial = ExternalAuthority.objects.get(level=ExternalAuthority.Level.PROVINCIAL)
    assert provincial.traces_to == nim
    county_cert = (
        EquipmentCertificate.objects.filter(
            equipment__standard__level=Standard.Level.COUNTY,
            equipment__standard__name="水表检定装置",
            issuer_standard__isnull=False,
        )
        .order_by("number")
        .first()
    )
    assert county_cert is not None
    assert county_cert.issuer_standard.level == Standard.Level.CITY
    depth, end = _chain_depth(county_cert)
    assert depth >= 4
    assert end == nim.name
    # Every county standard's standard equipment is calibrated inside the system, by a city standard.
    county_standard_equipment = EquipmentCertificate.objects.filter(
        equipment__standard__level=Standard.Level.COUNTY, equipment__role=StandardEquipment.Role.STANDARD
    )
    assert not county_standard_equipment.filter(issuer_standard__isnull=True).exists()
    assert not county_standard_equipment.exclude(issuer_standard__level=Standard.Level.CITY).exists()
    assert EquipmentCertificate.objects.filter(
        equipment__standard__level=Standard.Level.CITY, issuer_authority=provincial
    ).exists()


def test_some_equipment_certificates_expire_soon_and_a_few_have_lapsed(seeded):
    latest: dict[int, date] = {}
    for equipment_id, valid_until in EquipmentCertificate.objects.values_list("equipment_id", "valid_until"):
        latest[equipment_id] = max(valid_until, latest.get(equipment_id, valid_until))
    lapsed = [d for d in latest.values() if d < TODAY]
    soon = [d for d in latest.values() if TODAY <= d <= TODAY + timedelta(days=60)]
    assert 1 <= len(lapsed) <= 8
    assert len(soon) >= 5
    invalid = [s for s in with_validity_data(Standard.objects.all()) if not standard_validity(s, TODAY).valid]
    # Two lapsed assessments, one suspension, and the broken links: all at county institutes.
    assert 4 <= len(invalid) <= 10
    assert all(s.level == Standard.Level.COUNTY for s in invalid)


def test_some_mandatory_items_are_left_without_any_valid_public_standard(seeded):
    valid = valid_standards(with_validity_data(Standard.objects.filter(is_public=True)), TODAY)
    covered = set(
        Standard.catalog_items.through.objects.filter(standard__in=[s.pk for s in valid]).values_list(
            "catalogitem__code", flat=True
        )
    )
    mandatory = set(CatalogItem.objects.filter(supervision__contains="V").values_list("code", flat=True))
    gaps = mandatory - covered
    assert set(UNCOVERED_ITEMS) <= gaps
    assert len(gaps) < len(mandatory) / 4
    assert {"02", "08", "14", "21", "22"} <= covered


def test_staff_have_plausible_titles_masked_ids_and_qualifications(seeded):
    people = list(Person.objects.all())
    assert len(people) >= 38 + 7 * 8
    titles = [p.title for p in people]
    senior, none = titles.count(Person.Title.SENIOR), titles.count(Person.Title.NONE)
    assert 0.05 < senior / len(people) < 0.35
    assert titles.count(Person.Title.INTERMEDIATE) > senior
    assert none < len(people) / 4
    for p in people:
        assert len(p.id_number_masked) == 18
        assert p.id_number_masked[6:14] == "*" * 8
        assert p.id_number_masked[:6].isdigit()
    verifiers = Qualification.objects.filter(kind=Qualification.Kind.VERIFIER)
    assert verifiers.count() > len(people) / 2
    assert verifiers.filter(catalog_items__isnull=False).exists()
    assert verifiers.filter(procedures__isnull=False).exists()
    metrologists = Qualification.objects.filter(kind=Qualification.Kind.REGISTERED_METROLOGIST)
    assert set(metrologists.values_list("grade", flat=True)) == {"1", "2"}
    assert Qualification.objects.filter(kind=Qualification.Kind.STANDARD_ASSESSOR).count() >= 6
    assert Qualification.objects.filter(kind=Qualification.Kind.INSTITUTE_ASSESSOR).exists()
    expiring = Qualification.objects.filter(valid_until__gte=TODAY, valid_until__lte=TODAY + timedelta(days=90))
    assert expiring.count() >= 3


def test_a_verifier_is_qualified_only_for_items_of_their_own_institute(seeded):
    for q in Qualification.objects.filter(kind=Qualification.Kind.VERIFIER).select_related("person"):
        own = set(
            Standard.catalog_items.through.objects.filter(standard__holder=q.person.organization_id).values_list(
                "catalogitem_id", flat=True
            )
        )
        assert set(q.catalog_items.values_list("pk", flat=True)) <= own


def test_the_expert_pool_has_about_thirty_members_from_several_organizations(seeded):
    experts = Expert.objects.all()
    assert 20 <= experts.count() <= 35
    assert experts.values("organization").distinct().count() >= 3
    assert experts.filter(person__isnull=False).exists()


def test_each_institute_is_authorized_for_the_items_of_its_standards(seeded):
    for institute in Organization.objects.filter(kind=Organization.Kind.INSTITUTE):
        auth = institute.authorizations.get()
        assert auth.valid_from <= TODAY <= auth.valid_until
        assert auth.issued_by.kind == Organization.Kind.REGULATOR
        assert auth.issued_by.region_id == institute.region_id
        items = set(auth.catalog_items.values_list("code", flat=True))
        covered = set(institute.standards.values_list("catalog_items__code", flat=True)) - {None}
        assert items == covered
    authorized = Authorization.objects.exclude(institute__kind=Organization.Kind.INSTITUTE)
    assert set(authorized.values_list("institute__name", flat=True)) <= {
        institutes.authorized_enterprise(CITIES["fuxin"])
    }


def test_the_demo_institute_user_has_staff_and_standards(seeded):
    organization = User.objects.get(username="fuxin_institute").organization
    assert organization.region.level == Region.Level.CITY
    assert organization.staff.count() >= 38
    assert organization.standards.filter(is_public=True).count() >= 90


def test_assessment_certificate_numbers_are_unique(seeded):
    numbers = list(Standard.objects.values_list("certificate_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    certificates = list(EquipmentCertificate.objects.values_list("number", flat=True))
    assert len(set(certificates)) == len(certificates)


def test_every_credit_code_is_still_valid(seeded):
    codes = list(Organization.objects.values_list("credit_code", flat=True))
    assert codes and all(uscc.is_valid(c) for c in codes)


def test_both_cities_institutes_trace_to_their_own_province_with_numbers_unique_across_them(db):
    city.build_city(seed=1, instruments=N, today=TODAY)
    for one in CITIES.values():
        held = Standard.objects.filter(holder__region__code__startswith=one.code[:4], is_public=True)
        assert held.filter(level=Standard.Level.CITY).count() >= 90, one.key
        external = set(
            EquipmentCertificate.objects.filter(
                equipment__standard__in=held, issuer_authority__level=ExternalAuthority.Level.PROVINCIAL
            ).values_list("issuer_authority__name", flat=True)
        )
        assert external == {one.provincial_institute}
        quals = Qualification.objects.filter(person__organization__region__code__startswith=one.code[:4])
        assert quals.exists() and all(n.startswith(one.province_short) for n in quals.values_list("number", flat=True))
        # Each city's institutes are authorized by its own bureaus.
        for auth in Authorization.objects.filter(institute__region__code__startswith=one.code[:4]):
            assert auth.issued_by.region.code[:4] == one.code[:4]
    certificates = list(EquipmentCertificate.objects.values_list("number", flat=True))
    assert len(set(certificates)) == len(certificates)
    numbers = list(Standard.objects.values_list("certificate_number", flat=True))
    assert len(set(numbers)) == len(numbers)
