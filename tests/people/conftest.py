"""Institute-side personas for the people tests: an institute in each county with one member of staff each, and
the city institute (from the shared ``city`` fixture) with its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from jiliang.core.models import Organization, Role, User
from jiliang.people.idnumber import mask_id_number
from jiliang.people.models import Person, Qualification
from tests.factories import OrganizationFactory, UserFactory, catalog_item, credit_code

TODAY = timezone.localdate()


def valid_id(first17: str) -> str:
    from jiliang.people.idnumber import check_character

    return first17 + check_character(first17)


@dataclass
class Staff:
    institute_a: Organization
    institute_b: Organization
    institute_a_user: User
    institute_b_user: User
    person_city: Person
    person_a: Person
    person_b: Person
    full_ids: dict[str, str]


def make_person(organization: Organization, name: str, full_id: str, phone: str, **extra) -> Person:
    # Built directly (as the service would store it): only the masked number.
    return Person.objects.create(
        organization=organization,
        name=name,
        id_number_masked=mask_id_number(full_id),
        phone=phone,
        hired_on=TODAY - timedelta(days=1000),
        title=Person.Title.INTERMEDIATE,
        **extra,
    )


def make_qualification(person: Person, number: str, *, valid_days: int, kind=Qualification.Kind.VERIFIER, item="02"):
    q = Qualification.objects.create(
        person=person,
        kind=kind,
        grade="1" if kind == Qualification.Kind.REGISTERED_METROLOGIST else "",
        number=number,
        issued_on=TODAY - timedelta(days=365),
        valid_until=TODAY + timedelta(days=valid_days),
    )
    if kind == Qualification.Kind.VERIFIER and item:
        q.catalog_items.add(catalog_item(item))
    return q


@pytest.fixture
def staff(city) -> Staff:
    institute_a = OrganizationFactory(
        name="甲县计量所", kind=Organization.Kind.INSTITUTE, region=city.county_a, credit_code=credit_code()
    )
    institute_b = OrganizationFactory(
        name="乙县计量所", kind=Organization.Kind.INSTITUTE, region=city.county_b, credit_code=credit_code()
    )
    ids = {
        "city": valid_id("21090219800101123"),
        "a": valid_id("21092119850505456"),
        "b": valid_id("21092219900909789"),
    }
    return Staff(
        institute_a=institute_a,
        institute_b=institute_b,
        institute_a_user=UserFactory(username="inst_a", role=Role.INSTITUTE, organization=institute_a),
        institute_b_user=UserFactory(username="inst_b", role=Role.INSTITUTE, organization=institute_b),
        person_city=make_person(city.institute, "张市", ids["city"], "13900000001"),
        person_a=make_person(institute_a, "李甲", ids["a"], "13900000002"),
        person_b=make_person(institute_b, "王乙", ids["b"], "13900000003"),
        full_ids=ids,
    )
