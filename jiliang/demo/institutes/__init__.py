"""The institutes of a demo city: public measurement standards with their equipment and traceability
certificates up to the national metrology institute, staff and their qualifications, the expert pool, and
authorizations.

Drawn from its own stream per city, ``random.Random(f"{seed}-{city key}-institutes")``, so adding or changing anything here leaves the
city's organizations and instruments as they were. Everything is iterated in a fixed order (tuples, lists,
querysets ordered by code), so the same seed and day give the same rows (see :func:`institutes_digest`).

What the demo shows on purpose:

* chains county standard → city standard → provincial institute → 中国计量科学研究院 (NIM, the SI);
* a few equipment certificates and assessment certificates expiring soon, a few expired (county standards only,
  so the city's coverage does not depend on them), one suspended standard;
* qualifications expiring within 90 days;
* catalog items no public standard covers (:data:`standards_data.UNCOVERED_ITEMS`).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from jiliang.catalog.models import CatalogItem
from jiliang.core.models import Organization, Region
from jiliang.people.models import Expert, Person, Qualification
from jiliang.standards.models import Authorization, EquipmentCertificate, ExternalAuthority, Standard, StandardEquipment

from .. import names
from ..standards_data import Template
from .authorizations import _authorizations, _authorized_enterprise, authorized_enterprise
from .common import _Numbers
from .staff import _experts, _staff, _write_qualification_scope
from .standards import _authorities, _certificates, _plan_equipment, _plan_standards, _procedures, _write_scope

__all__ = [
    "InstitutesResult",
    "Numbers",
    "authorized_enterprise",
    "build_institutes",
    "delete_institutes",
    "institutes_digest",
]


# Equipment certificate numbers, shared by the cities built together.
Numbers = _Numbers


@dataclass
class InstitutesResult:
    standards: int
    public_standards: int
    equipment: int
    certificates: int
    staff: int
    qualifications: int
    experts: int
    authorizations: int


# --- the whole of it ----------------------------------------------------------------------------------------------


def build_institutes(
    *,
    seed: int,
    today: date,
    city: names.City,
    catalog: dict[str, CatalogItem] | None = None,
    certificate_numbers: _Numbers | None = None,
) -> InstitutesResult:
    """Add the institutes' standards, equipment, certificates, staff, experts and authorizations to a freshly
    built demo city (called by :func:`jiliang.demo.city.build_city` inside its transaction, once per city)."""
    rng = random.Random(f"{seed}-{city.key}-institutes")
    in_city = Region.objects.filter(code__startswith=city.code[:4])
    if catalog is None:
        catalog = {item.code: item for item in CatalogItem.objects.all()}
    authorities = _authorities(city)
    procedures = _procedures()
    institutes = list(
        Organization.objects.filter(kind=Organization.Kind.INSTITUTE, region__in=in_city)
        .select_related("region")
        .order_by("region__code", "credit_code")
    )
    city_institute = next(o for o in institutes if o.region.level == Region.Level.CITY)
    county_institutes = [o for o in institutes if o.region.level == Region.Level.COUNTY]

    # Assessment certificate numbers run on per assessing authority and year, across all holders.
    numbers = _Numbers()
    planned, city_by_key = _plan_standards(rng, today, city_institute, county_institutes, numbers, city)
    planned += _authorized_enterprise(rng, today, numbers, city)
    Standard.objects.bulk_create([p.standard for p in planned], batch_size=500)
    _write_scope(planned, catalog, procedures)
    equipment, links = _plan_equipment(rng, planned, set(city_by_key))
    StandardEquipment.objects.bulk_create(equipment, batch_size=1000)
    certificates = _certificates(
        rng, today, links, city_by_key, authorities, city_institute, city, certificate_numbers or _Numbers()
    )
    EquipmentCertificate.objects.bulk_create(certificates, batch_size=1000)

    templates_of: dict[int, list[Template]] = {}
    for plan in planned:
        kept = templates_of.setdefault(plan.standard.holder_id, [])
        if plan.template not in kept:
            kept.append(plan.template)
    people, quals = _staff(rng, today, institutes, templates_of, city)
    Person.objects.bulk_create(people, batch_size=1000)
    for q in quals:
        q.qualification.person_id = q.qualification.person.pk
    Qualification.objects.bulk_create([q.qualification for q in quals], batch_size=1000)
    _write_qualification_scope(quals, catalog, procedures)

    specialties = {
        p.pk: "、".join(dict.fromkeys(t.measurand.split("、")[0] for t in templates_of.get(p.organization_id, [])[:4]))
        or "法制计量"
        for p in people
        if p.title in (Person.Title.SENIOR, Person.Title.INTERMEDIATE)
    }
    outside = list(
        Organization.objects.filter(
            kind=Organization.Kind.OWNER,
            category__in=(Organization.Category.HOSPITAL, Organization.Category.UTILITY),
            region__in=in_city,
        ).order_by("credit_code")
    )
    rng.shuffle(outside)
    experts = _experts(rng, today, people, specialties, outside)
    Expert.objects.bulk_create(experts)

    authorizations = _authorizations(rng, today, planned, institutes, catalog, city)
    return InstitutesResult(
        standards=len(planned),
        public_standards=sum(1 for p in planned if p.standard.is_public),
        equipment=len(equipment),
        certificates=len(certificates),
        staff=len(people),
        qualifications=len(quals),
        experts=len(experts),
        authorizations=authorizations,
    )


def institutes_digest() -> str:
    """A SHA-256 over standards, equipment, certificates, staff, qualifications, experts and authorizations,
    without database ids: two databases built from the same seed and day have the same digest."""
    h = hashlib.sha256()

    def feed(rows: Iterator[tuple]) -> None:
        for row in rows:
            h.update(repr(row).encode())
            h.update(b"\n")

    std_key = ("holder__credit_code", "code")
    feed(ExternalAuthority.objects.order_by("name").values_list("name", "level", "traces_to__name").iterator())
    feed(
        Standard.objects.order_by(*std_key)
        .values_list(
            *std_key,
            "name",
            "measurand",
            "measuring_range",
            "uncertainty",
            "is_public",
            "is_highest",
            "level",
            "certificate_number",
            "certificate_issued_on",
            "certificate_valid_until",
            "status",
            "established_on",
        )
        .iterator()
    )
    feed(
        Standard.catalog_items.through.objects.order_by(
            "standard__holder__credit_code", "standard__code", "catalogitem__code"
        )
        .values_list("standard__holder__credit_code", "standard__code", "catalogitem__code")
        .iterator()
    )
    feed(
        Standard.procedures.through.objects.order_by(
            "standard__holder__credit_code", "standard__code", "procedure__code"
        )
        .values_list("standard__holder__credit_code", "standard__code", "procedure__code")
        .iterator()
    )
    eq_key = ("standard__holder__credit_code", "standard__code", "serial_number", "name")
    feed(StandardEquipment.objects.order_by(*eq_key).values_list(*eq_key, "role", "model", "manufacturer").iterator())
    feed(
        EquipmentCertificate.objects.order_by("number", "issued_on")
        .values_list(
            "number",
            "equipment__standard__holder__credit_code",
            "equipment__standard__code",
            "equipment__serial_number",
            "issuer_standard__holder__credit_code",
            "issuer_standard__code",
            "issuer_authority__name",
            "issued_on",
            "valid_until",
            "result",
            "uncertainty",
        )
        .iterator()
    )
    feed(
        Person.objects.order_by("organization__credit_code", "name", "id_number_masked", "hired_on")
        .values_list("organization__credit_code", "name", "id_number_masked", "title", "hired_on", "phone")
        .iterator()
    )
    feed(
        Qualification.objects.order_by("kind", "number")
        .values_list("kind", "number", "grade", "person__id_number_masked", "issued_on", "valid_until", "scope_note")
        .iterator()
    )
    feed(
        Qualification.catalog_items.through.objects.order_by("qualification__number", "catalogitem__code")
        .values_list("qualification__number", "catalogitem__code")
        .iterator()
    )
    feed(
        Expert.objects.order_by("organization__credit_code", "name", "joined_on")
        .values_list("organization__credit_code", "name", "specialties", "joined_on", "active", "person__name")
        .iterator()
    )
    feed(
        Authorization.objects.order_by("number")
        .values_list("number", "institute__credit_code", "issued_by__credit_code", "valid_from", "valid_until")
        .iterator()
    )
    feed(
        Authorization.catalog_items.through.objects.order_by("authorization__number", "catalogitem__code")
        .values_list("authorization__number", "catalogitem__code")
        .iterator()
    )
    return h.hexdigest()


def delete_institutes() -> None:
    """Remove what :func:`build_institutes` made (its rows protect the organizations they belong to)."""
    EquipmentCertificate.objects.all().delete()
    StandardEquipment.objects.all().delete()
    Standard.catalog_items.through.objects.all().delete()
    Standard.procedures.through.objects.all().delete()
    Authorization.objects.all().delete()
    Expert.objects.all().delete()
    Qualification.objects.all().delete()
    Person.objects.all().delete()
    Standard.objects.all().delete()
