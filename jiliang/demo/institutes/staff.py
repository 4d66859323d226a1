"""The institutes' staff with their titles and qualifications (verifiers, registered metrologists, assessors:
some expiring soon), and the expert pool."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core.models import Organization, Region
from jiliang.people.models import Expert, Person, Qualification

from .. import names
from ..owners import mobile, person_name
from ..standards_data import Template
from .common import _Numbers, _years

# Staff of the city institute and of a county institute.
CITY_STAFF = (38, 46)
COUNTY_STAFF = (8, 14)
TITLE_MIX = (
    (Person.Title.SENIOR, 0.18),
    (Person.Title.INTERMEDIATE, 0.40),
    (Person.Title.JUNIOR, 0.30),
    (Person.Title.NONE, 0.12),
)
EXPERTS = 30
# Qualifications (verifier, registered metrologist, assessor) are issued for five years.
QUALIFICATION_YEARS = 5


def _title(rng: random.Random) -> str:
    roll = rng.random()
    for title, share in TITLE_MIX:
        if roll < share:
            return title
        roll -= share
    return Person.Title.NONE


def _masked_id(rng: random.Random, region_code: str, birthplaces: tuple[str, ...]) -> str:
    """First six (the birthplace division) and last four characters of an ID number; eight asterisks between."""
    birthplace = region_code if rng.random() < 0.7 else rng.choice(birthplaces)
    return f"{birthplace}********{rng.randint(0, 999):03d}{rng.choice('0123456789X')}"


def _qualification_dates(rng: random.Random, today: date) -> tuple[date, date]:
    """Five-year certificates: most in force, some expiring within 90 days, a few lapsed."""
    roll = rng.random()
    if roll < 0.08:
        end = today + timedelta(days=rng.randint(1, 89))
    elif roll < 0.11:
        end = today - timedelta(days=rng.randint(1, 300))
    else:
        end = today + timedelta(days=rng.randint(90, QUALIFICATION_YEARS * 365 - 30))
    start = _years(end + timedelta(days=1), -QUALIFICATION_YEARS)
    return start, end


@dataclass
class _PlannedQualification:
    qualification: Qualification
    items: list[str]
    procedures: list[str]


def _staff(
    rng: random.Random,
    today: date,
    institutes: list[Organization],
    templates_of: dict[int, list[Template]],
    city: names.City,
) -> tuple[list[Person], list[_PlannedQualification]]:
    numbers = _Numbers()
    province = city.province_short
    people: list[Person] = []
    quals: list[_PlannedQualification] = []
    for institute in institutes:
        city_level = institute.region.level == Region.Level.CITY
        low, high = CITY_STAFF if city_level else COUNTY_STAFF
        templates = templates_of.get(institute.pk, [])
        standard_assessors = 6 if city_level else (1 if rng.random() < 0.5 else 0)
        institute_assessors = 3 if city_level else 0
        for _i in range(rng.randint(low, high)):
            title = _title(rng)
            person = Person(
                organization=institute,
                name=person_name(rng),
                id_number_masked=_masked_id(rng, institute.region.code, city.birthplaces),
                title=title,
                hired_on=today - timedelta(days=rng.randint(200, 30 * 365)),
                phone=mobile(rng),
            )
            people.append(person)
            if templates and (title != Person.Title.NONE or rng.random() < 0.5):
                chosen = rng.sample(templates, min(len(templates), rng.randint(2, 6)))
                start, end = _qualification_dates(rng, today)
                serial = numbers.take("verifier", 210001)
                quals.append(
                    _PlannedQualification(
                        Qualification(
                            person=person,
                            kind=Qualification.Kind.VERIFIER,
                            number=f"{province}计检证字第{serial:06d}号",
                            issued_on=start,
                            valid_until=end,
                            scope_note="、".join(t.name for t in chosen),
                        ),
                        sorted({code for t in chosen for code in t.items}),
                        sorted({code for t in chosen for code in t.procedures}),
                    )
                )
            grade = ""
            if title == Person.Title.SENIOR and rng.random() < 0.6:
                grade = Qualification.Grade.ONE
            elif title == Person.Title.INTERMEDIATE and rng.random() < 0.35:
                grade = Qualification.Grade.TWO
            if grade:
                start, end = _qualification_dates(rng, today)
                serial = numbers.take("metrologist" + grade)
                quals.append(
                    _PlannedQualification(
                        Qualification(
                            person=person,
                            kind=Qualification.Kind.REGISTERED_METROLOGIST,
                            grade=grade,
                            number=f"{province}{grade}JL{start.year}{serial:05d}",
                            issued_on=start,
                            valid_until=end,
                        ),
                        [],
                        [],
                    )
                )
        # Three people sign each record, each qualified for the item (verification.services.drafts): every template
        # the institute works to is held by at least three of its verifiers, where it has three.
        own_quals = [
            q
            for q in quals
            if q.qualification.person.organization is institute and q.qualification.kind == Qualification.Kind.VERIFIER
        ]
        for template in templates:
            holders = [q for q in own_quals if set(template.items) <= set(q.items)]
            for q in own_quals:
                if len(holders) >= 3:
                    break
                if q in holders:
                    continue
                q.items = sorted(set(q.items) | set(template.items))
                q.procedures = sorted(set(q.procedures) | set(template.procedures))
                q.qualification.scope_note = f"{q.qualification.scope_note}、{template.name}"[:300]
                holders.append(q)
        # Assessors: senior staff first, then intermediate.
        own = [p for p in people if p.organization is institute]
        candidates = [p for p in own if p.title == Person.Title.SENIOR]
        candidates += [p for p in own if p.title == Person.Title.INTERMEDIATE]
        kinds = [(Qualification.Kind.STANDARD_ASSESSOR, "标考")] * standard_assessors
        kinds += [(Qualification.Kind.INSTITUTE_ASSESSOR, "机考")] * institute_assessors
        for person, (kind, label) in zip(candidates, kinds, strict=False):
            start, end = _qualification_dates(rng, today)
            serial = numbers.take(label)
            quals.append(
                _PlannedQualification(
                    Qualification(
                        person=person,
                        kind=kind,
                        number=f"{province}{label}字第{serial:04d}号",
                        issued_on=start,
                        valid_until=end,
                    ),
                    [],
                    [],
                )
            )
    return people, quals


def _write_qualification_scope(
    quals: list[_PlannedQualification], catalog: dict[str, CatalogItem], procedures: dict[str, Procedure]
) -> None:
    item_through = Qualification.catalog_items.through
    procedure_through = Qualification.procedures.through
    item_through.objects.bulk_create(
        [
            item_through(qualification_id=q.qualification.pk, catalogitem_id=catalog[code].pk)
            for q in quals
            for code in q.items
            if code in catalog
        ],
        batch_size=1000,
    )
    procedure_through.objects.bulk_create(
        [
            procedure_through(qualification_id=q.qualification.pk, procedure_id=procedures[code].pk)
            for q in quals
            for code in q.procedures
        ],
        batch_size=1000,
    )


def _experts(
    rng: random.Random, today: date, people: list[Person], specialties: dict[int, str], outside: list[Organization]
) -> list[Expert]:
    """About thirty: senior staff of the institutes, and a few engineers of hospitals and utilities."""
    wanted = EXPERTS - min(6, len(outside))
    seniors = [p for p in people if p.title == Person.Title.SENIOR]
    from_institutes = rng.sample(seniors, min(len(seniors), wanted))
    if len(from_institutes) < wanted:
        # Not enough senior engineers: the pool takes intermediate ones too.
        intermediate = [p for p in people if p.title == Person.Title.INTERMEDIATE]
        from_institutes += rng.sample(intermediate, min(len(intermediate), wanted - len(from_institutes)))
    experts = [
        Expert(
            person=p,
            name=p.name,
            organization=p.organization,
            specialties=specialties.get(p.pk, "法制计量"),
            joined_on=today - timedelta(days=rng.randint(30, 8 * 365)),
            active=rng.random() < 0.93,
        )
        for p in from_institutes
    ]
    fields = ("医学计量", "电能计量", "流量计量", "压力计量", "衡器计量", "环境监测计量")
    for organization in outside[:6]:
        experts.append(
            Expert(
                name=person_name(rng),
                organization=organization,
                specialties=rng.choice(fields),
                joined_on=today - timedelta(days=rng.randint(30, 8 * 365)),
            )
        )
    return experts
