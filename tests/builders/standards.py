"""Standards: the ``lab`` (a chain from NIM down to a county standard), single standards with their equipment, and
the small city whose 建标覆盖率 the coverage tests compute by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from jiliang.core.models import Organization, Region, Role, User
from jiliang.standards.models import EquipmentCertificate, ExternalAuthority, Standard, StandardEquipment
from tests.factories import InstrumentFactory, OrganizationFactory, UserFactory, catalog_item, credit_code


@dataclass
class Lab:
    today: date
    nim: ExternalAuthority
    province: ExternalAuthority
    city_standard: Standard
    equipment_1: StandardEquipment
    equipment_2: StandardEquipment
    certificate_1: EquipmentCertificate
    certificate_2: EquipmentCertificate
    county_institute: Organization
    county_institute_user: User
    county_standard: Standard
    county_equipment: StandardEquipment
    county_certificate: EquipmentCertificate


def make_standard(holder: Organization, *, code: str, level: str, today: date, **fields) -> Standard:
    """An active standard whose assessment certificate runs from two years ago to two years ahead."""
    values = dict(
        name="电子天平检定装置",
        measurand="质量",
        measuring_range="(0~30) kg",
        uncertainty="F2级",
        is_public=True,
        certificate_number=f"[{today.year}]{code}",
        certificate_issued_on=today - timedelta(days=730),
        certificate_valid_until=today + timedelta(days=730),
    )
    values.update(fields)
    return Standard.objects.create(holder=holder, code=code, level=level, **values)


def make_equipment(standard: Standard, *, name: str, serial: str, issuer, today: date, number: str):
    """A piece of equipment with one certificate valid from 100 days ago to 265 days ahead."""
    equipment = StandardEquipment.objects.create(standard=standard, name=name, model="E2", serial_number=serial)
    issuer_field = "issuer_standard" if isinstance(issuer, Standard) else "issuer_authority"
    certificate = EquipmentCertificate.objects.create(
        equipment=equipment,
        number=number,
        issued_on=today - timedelta(days=100),
        valid_until=today + timedelta(days=265),
        result="合格",
        **{issuer_field: issuer},
    )
    return equipment, certificate


def build_lab(city) -> Lab:
    """On top of the ``city`` personas:

    - NIM (national primary standards) and a provincial institute that traces to it;
    - a city standard held by the city institute, with two pieces of standard equipment, each certified by the
      provincial institute, valid for months around today; scope: catalog item 02 (price scales);
    - a county institute in county A with a user, holding a county standard with one piece of equipment certified
      by the city standard (an in-system link of the chain).
    """
    today = timezone.localdate()
    nim = ExternalAuthority.objects.create(name="中国计量科学研究院", level=ExternalAuthority.Level.NATIONAL)
    province = ExternalAuthority.objects.create(
        name="辽宁省计量科学研究院", level=ExternalAuthority.Level.PROVINCIAL, traces_to=nim
    )
    city_standard = make_standard(
        city.institute, code="CS-001", level=Standard.Level.CITY, today=today, is_highest=True
    )
    city_standard.catalog_items.add(catalog_item("02"))
    equipment_1, certificate_1 = make_equipment(
        city_standard, name="E2等级砝码组", serial="W-001", issuer=province, today=today, number="ZL-2026-001"
    )
    equipment_2, certificate_2 = make_equipment(
        city_standard, name="E2等级砝码组", serial="W-002", issuer=province, today=today, number="ZL-2026-002"
    )
    county_institute = OrganizationFactory(
        name="甲县计量检定所",
        kind=Organization.Kind.INSTITUTE,
        region=city.county_a,
        category=Organization.Category.OTHER,
        credit_code=credit_code(),
    )
    county_institute_user = UserFactory(username="county_institute", role=Role.INSTITUTE, organization=county_institute)
    county_standard = make_standard(county_institute, code="KS-001", level=Standard.Level.COUNTY, today=today)
    county_standard.catalog_items.add(catalog_item("02"))
    county_equipment, county_certificate = make_equipment(
        county_standard, name="F1等级砝码组", serial="K-001", issuer=city_standard, today=today, number="JD-2026-101"
    )
    return Lab(
        today=today,
        nim=nim,
        province=province,
        city_standard=city_standard,
        equipment_1=equipment_1,
        equipment_2=equipment_2,
        certificate_1=certificate_1,
        certificate_2=certificate_2,
        county_institute=county_institute,
        county_institute_user=county_institute_user,
        county_standard=county_standard,
        county_equipment=county_equipment,
        county_certificate=county_certificate,
    )


# ---- the small city of the coverage tests ----------------------------------------------------------------------


def _public_standard(holder, code, items, *, today, public=True, cert_until=None, equipment_until=None) -> Standard:
    """A standard with one piece of equipment certified by a provincial institute; by default both valid today."""
    authority, _created = ExternalAuthority.objects.get_or_create(
        name="省计量科学研究院", defaults={"level": ExternalAuthority.Level.PROVINCIAL}
    )
    standard = Standard.objects.create(
        holder=holder,
        name=f"检定装置 {code}",
        code=code,
        measurand="质量",
        is_public=public,
        level=Standard.Level.COUNTY if holder.region.level == Region.Level.COUNTY else Standard.Level.CITY,
        certificate_number=f"CERT-{code}",
        certificate_issued_on=today - timedelta(days=1400),
        certificate_valid_until=cert_until or today + timedelta(days=60),
    )
    standard.catalog_items.set([catalog_item(c) for c in items])
    equipment = StandardEquipment.objects.create(standard=standard, name="标准器", serial_number=f"EQ-{code}")
    EquipmentCertificate.objects.create(
        equipment=equipment,
        issuer_authority=authority,
        number=f"EC-{code}",
        issued_on=today - timedelta(days=300),
        valid_until=equipment_until or today + timedelta(days=60),
    )
    return standard


def _instruments(owner, item, n, *, usage="trade", status="in_use"):
    for _i in range(n):
        InstrumentFactory(owner=owner, catalog_item=catalog_item(item), usage=usage, status=status)


def _institute(name, region) -> Organization:
    return OrganizationFactory(
        name=name, kind=Organization.Kind.INSTITUTE, region=region, category="other", credit_code=credit_code()
    )


@dataclass
class SmallCity:
    standards: dict[str, Standard]


def build_small_city(city) -> SmallCity:
    """Catalog rows: 02 price scale, 08 fuel dispenser, 21 taxi meter, 03 platform scale (trade); 22 blood-pressure
    meter (medical); 25 focimeter.

    In-use mandatory instruments:   county A (甲县)            county B (乙县)          seated at the city
        02                          3                         1
        08                          2                                                  1
        22                          1                         4
        21                          1                         2
        03                          2                         1
    Not counted: a focimeter (25) used for "other" in A (not mandatory), a stopped 22 in B.

    Standards:
        S1 city institute, public, valid, covers 02 and 08          (one standard covering two items)
        S2 county B institute, public, valid, covers 22
        S3 county A institute, NOT public, valid, covers 22          (never counts)
        S4 city institute, public, assessment certificate expired yesterday, covers 03
        S5 county A institute, public, valid, covers 21
        S6 city institute, public, its only equipment certificate expired yesterday, covers 03
    """
    owner_city = OrganizationFactory(name="市出租汽车公司", kind=Organization.Kind.OWNER, region=city.city)
    _instruments(city.owner_a, "02", 3)
    _instruments(city.owner_a, "08", 2)
    _instruments(city.owner_a, "22", 1, usage="medical")
    _instruments(city.owner_a, "21", 1)
    _instruments(city.owner_a, "03", 2)
    _instruments(city.owner_a, "25", 1, usage="other")
    _instruments(city.owner_b, "02", 1)
    _instruments(city.owner_b, "22", 4, usage="medical")
    _instruments(city.owner_b, "22", 1, usage="medical", status="stopped")
    _instruments(city.owner_b, "21", 2)
    _instruments(city.owner_b, "03", 1)
    _instruments(owner_city, "08", 1)
    institute_a = _institute("甲县计量所", city.county_a)
    institute_b = _institute("乙县计量所", city.county_b)
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    return SmallCity(
        standards={
            "S1": _public_standard(city.institute, "S1", ["02", "08"], today=today),
            "S2": _public_standard(institute_b, "S2", ["22"], today=today),
            "S3": _public_standard(institute_a, "S3", ["22"], public=False, today=today),
            "S4": _public_standard(city.institute, "S4", ["03"], cert_until=yesterday, today=today),
            "S5": _public_standard(institute_a, "S5", ["21"], today=today),
            "S6": _public_standard(city.institute, "S6", ["03"], equipment_until=yesterday, today=today),
        }
    )
