"""Standards fixtures, reusable by every test module under tests/standards.

``lab`` builds, on top of the ``city`` personas:
- NIM (national primary standards) and a provincial institute that traces to it;
- a city standard held by the city institute, with two pieces of standard equipment, each certified by the
  provincial institute, valid for months around today; scope: catalog item 02 (price scales);
- a county institute in county A with a user, holding a county standard with one piece of equipment certified by
  the city standard (an in-system link of the chain).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from jiliang.core.models import Organization, Role, User
from jiliang.standards.models import EquipmentCertificate, ExternalAuthority, Standard, StandardEquipment
from tests.factories import OrganizationFactory, UserFactory, catalog_item, credit_code


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


@pytest.fixture
def lab(city) -> Lab:
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
