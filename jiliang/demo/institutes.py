"""The institutes of the demo city: public measurement standards with their equipment and traceability
certificates up to the national metrology institute, staff and their qualifications, the expert pool, and
authorizations.

Drawn from its own stream, ``random.Random(f"{seed}-institutes")``, so adding or changing anything here leaves the
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
from datetime import date, timedelta

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core.models import Organization, Region, User
from jiliang.metrology.due import add_months
from jiliang.people.models import Expert, Person, Qualification
from jiliang.standards.models import (
    Authorization,
    EquipmentCertificate,
    ExternalAuthority,
    Standard,
    StandardEquipment,
)

from . import names
from .owners import mobile, person_name
from .standards_data import PROCEDURE_NAMES, SECOND_RANGES, STD, TEMPLATES, UNCOVERED_ITEMS, Equip, Template

NIM = "中国计量科学研究院"
PROVINCIAL = "辽宁省计量科学研究院"
OTHER = "中国测试技术研究院"
PROVINCE = "辽"

# Share of county institutes keeping each county-level template.
COUNTY_KEEP = 0.85
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


@dataclass
class _Planned:
    standard: Standard
    template: Template
    # Deliberately broken (an expired equipment certificate): only ever a county standard.
    broken_equipment: bool = False


def _years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def _valid_for(issued: date, months: int) -> date:
    """The last day of a certificate valid ``months`` from ``issued`` (inclusive end)."""
    return add_months(issued, months) - timedelta(days=1)


class _Numbers:
    """Running serial numbers per prefix, so certificate numbers are unique and read in issue order."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, prefix: str, start: int = 1) -> int:
        n = self.next.get(prefix, start)
        self.next[prefix] = n + 1
        return n


# --- external authorities and procedures ----------------------------------------------------------------------


def _authorities() -> dict[str, ExternalAuthority]:
    nim, _created = ExternalAuthority.objects.get_or_create(
        name=NIM, defaults={"level": ExternalAuthority.Level.NATIONAL}
    )
    provincial, _created = ExternalAuthority.objects.get_or_create(
        name=PROVINCIAL, defaults={"level": ExternalAuthority.Level.PROVINCIAL, "traces_to": nim}
    )
    other, _created = ExternalAuthority.objects.get_or_create(
        name=OTHER, defaults={"level": ExternalAuthority.Level.OTHER, "traces_to": nim}
    )
    return {"nim": nim, "provincial": provincial, "other": other}


def _procedures() -> dict[str, Procedure]:
    """The Procedure rows the templates name: the catalog's are there already (migration), the others are made."""
    wanted = sorted({code for t in TEMPLATES for code in t.procedures})
    have = set(Procedure.objects.filter(code__in=wanted).values_list("code", flat=True))
    Procedure.objects.bulk_create(
        [
            Procedure(code=code, name=PROCEDURE_NAMES.get(code, ""), kind=code.split()[0])
            for code in wanted
            if code not in have
        ]
    )
    return {p.code: p for p in Procedure.objects.filter(code__in=wanted)}


# --- standards ----------------------------------------------------------------------------------------------------


def _assessment_dates(rng: random.Random, today: date, *, expired: bool = False) -> tuple[date, date]:
    """Issued within the last four years (valid four years), or, when ``expired``, lapsed weeks to months ago."""
    if expired:
        issued = _years(today, -4) - timedelta(days=rng.randint(10, 200))
    else:
        issued = today - timedelta(days=rng.randint(20, 4 * 365 - 5))
    return issued, _years(issued, 4) - timedelta(days=1)


def _standard(
    rng: random.Random,
    today: date,
    holder: Organization,
    template: Template,
    *,
    level: str,
    assessor_prefix: str,
    numbers: _Numbers,
    code: str | None = None,
    measuring_range: str | None = None,
    uncertainty: str | None = None,
    highest: bool = False,
    expired: bool = False,
    is_public: bool = True,
) -> Standard:
    issued, valid_until = _assessment_dates(rng, today, expired=expired)
    # Built before the certificate in force: first assessed one or more four-year terms earlier.
    established = _years(issued, -4 * rng.randint(0, 3)) - timedelta(days=rng.randint(0, 60))
    serial = numbers.take(f"{assessor_prefix}{issued.year}")
    return Standard(
        holder=holder,
        name=template.name,
        code=code or template.code,
        measurand=template.measurand,
        measuring_range=measuring_range or template.measuring_range,
        uncertainty=uncertainty or template.uncertainty,
        is_public=is_public,
        is_highest=highest,
        level=level,
        certificate_number=f"[{issued.year}]{assessor_prefix}量标证字第{serial:03d}号",
        certificate_issued_on=issued,
        certificate_valid_until=valid_until,
        established_on=established,
    )


def _plan_standards(
    rng: random.Random,
    today: date,
    city_institute: Organization,
    county_institutes: list[Organization],
    numbers: _Numbers,
) -> tuple[list[_Planned], dict[str, Standard]]:
    """City standards (every template, some twice with a second range) and county standards (the templates marked
    for counties, each kept by most county institutes); returns the plan and the city standards by key."""
    planned: list[_Planned] = []
    city_by_key: dict[str, Standard] = {}
    for template in TEMPLATES:
        assert not set(template.items) & set(UNCOVERED_ITEMS), template.key
        standard = _standard(
            rng,
            today,
            city_institute,
            template,
            level=Standard.Level.CITY,
            assessor_prefix=PROVINCE,
            numbers=numbers,
            highest=template.highest,
        )
        planned.append(_Planned(standard, template))
        city_by_key[template.key] = standard
        if template.key in SECOND_RANGES:
            code, measuring_range, uncertainty = SECOND_RANGES[template.key]
            second = _standard(
                rng,
                today,
                city_institute,
                template,
                level=Standard.Level.CITY,
                assessor_prefix=PROVINCE,
                numbers=numbers,
                code=code,
                measuring_range=measuring_range,
                uncertainty=uncertainty,
            )
            planned.append(_Planned(second, template))
    county_planned: list[_Planned] = []
    for institute in county_institutes:
        for template in TEMPLATES:
            if not template.counties or rng.random() > COUNTY_KEEP:
                continue
            standard = _standard(
                rng,
                today,
                institute,
                template,
                level=Standard.Level.COUNTY,
                assessor_prefix=names.CITY_SHORT[0],
                numbers=numbers,
                # A county's only weights or pressure standard is its highest.
                highest=template.key in ("weights_f1", "pressure_precise"),
            )
            county_planned.append(_Planned(standard, template))
    # What goes wrong on purpose, among county standards only (the city keeps a valid one of each).
    picks = rng.sample(range(len(county_planned)), 7)
    for i in picks[:2]:
        issued, valid_until = _assessment_dates(rng, today, expired=True)
        county_planned[i].standard.certificate_issued_on = issued
        county_planned[i].standard.certificate_valid_until = valid_until
    county_planned[picks[2]].standard.status = Standard.Status.SUSPENDED
    for i in picks[3:]:
        county_planned[i].broken_equipment = True
    return planned + county_planned, city_by_key


def _serial(rng: random.Random, equip: Equip) -> str:
    letters = "".join(ch for ch in equip.model if ch.isascii() and ch.isalpha())[:2].upper() or "SN"
    return f"{letters}{rng.randint(2010, 2025)}{rng.randint(0, 99999):05d}"


@dataclass
class _Link:
    """One certificate to write: issued by a city standard (by key) or an external authority (by key)."""

    equipment: StandardEquipment
    months: int
    accuracy: str
    issuer_key: str
    external: bool
    state: str  # valid, expiring, expired


def _plan_equipment(
    rng: random.Random, planned: list[_Planned], city_keys: set[str]
) -> tuple[list[StandardEquipment], list[_Link]]:
    equipment: list[StandardEquipment] = []
    links: list[_Link] = []
    for plan in planned:
        template = plan.template
        county = plan.standard.level == Standard.Level.COUNTY
        pieces = list(template.equipment)
        broken_piece = rng.randrange(len(pieces)) if plan.broken_equipment else -1
        for i, equip in enumerate(pieces):
            row = StandardEquipment(
                standard=plan.standard,
                role=equip.role,
                name=equip.name,
                model=equip.model,
                serial_number=_serial(rng, equip),
                manufacturer=equip.maker,
            )
            equipment.append(row)
            if equip.by and equip.by != template.key:
                issuer, external = equip.by, False
            elif county and equip.role == STD:
                issuer, external = template.parent or template.key, False
            elif not county and template.parent and equip.role == STD:
                issuer, external = template.parent, False
            else:
                # Out of the city: mostly the provincial institute; the highest standards partly straight to NIM.
                roll = rng.random()
                if template.highest and roll < 0.3:
                    issuer = "nim"
                elif roll < 0.1:
                    issuer = "other"
                else:
                    issuer = "provincial"
                external = True
            assert external or issuer in city_keys, issuer
            if i == broken_piece:
                state = "expired"
            else:
                state = "expiring" if rng.random() < 0.08 else "valid"
            links.append(_Link(row, equip.months, equip.accuracy, issuer, external, state))
    return equipment, links


def _certificates(
    rng: random.Random,
    today: date,
    links: list[_Link],
    city_by_key: dict[str, Standard],
    authorities: dict[str, ExternalAuthority],
    city_institute: Organization,
) -> list[EquipmentCertificate]:
    """The certificate in force (or the last one, when it lapsed) and the one before it, for every piece."""
    numbers = _Numbers()
    prefixes = {"nim": "NIM", "provincial": "LNJL", "other": "CTJL"}
    rows: list[EquipmentCertificate] = []
    for link in links:
        days = (add_months(today, link.months) - today).days
        if link.state == "expired":
            valid_until = today - timedelta(days=rng.randint(5, 120))
        elif link.state == "expiring":
            valid_until = today + timedelta(days=rng.randint(3, 60))
        else:
            valid_until = today + timedelta(days=rng.randint(61, max(61, days - 1)))
        issued = add_months(valid_until + timedelta(days=1), -link.months)
        periods = [(add_months(issued, -link.months), issued - timedelta(days=1)), (issued, valid_until)]
        for start, end in periods:
            if link.external:
                prefix = prefixes[link.issuer_key]
                number = f"{prefix}{start.year}-{numbers.take(prefix + str(start.year)):05d}"
                issuer = {"issuer_authority": authorities[link.issuer_key]}
            else:
                prefix = city_institute.short_code or "YCJL"
                number = f"{prefix}{start.year}{numbers.take(prefix + str(start.year)):05d}"
                issuer = {"issuer_standard": city_by_key[link.issuer_key]}
            rows.append(
                EquipmentCertificate(
                    equipment=link.equipment,
                    number=number,
                    issued_on=start,
                    valid_until=end,
                    result="合格" if rng.random() < 0.85 else "校准",
                    uncertainty=link.accuracy,
                    **issuer,
                )
            )
    return rows


def _write_scope(planned: list[_Planned], catalog: dict[str, CatalogItem], procedures: dict[str, Procedure]) -> None:
    item_through = Standard.catalog_items.through
    procedure_through = Standard.procedures.through
    items_rows = []
    procedure_rows = []
    for plan in planned:
        for code in plan.template.items:
            if code in catalog:
                items_rows.append(item_through(standard_id=plan.standard.pk, catalogitem_id=catalog[code].pk))
        for code in plan.template.procedures:
            procedure_rows.append(procedure_through(standard_id=plan.standard.pk, procedure_id=procedures[code].pk))
    item_through.objects.bulk_create(items_rows, batch_size=1000)
    procedure_through.objects.bulk_create(procedure_rows, batch_size=1000)


# --- people -------------------------------------------------------------------------------------------------------


def _title(rng: random.Random) -> str:
    roll = rng.random()
    for title, share in TITLE_MIX:
        if roll < share:
            return title
        roll -= share
    return Person.Title.NONE


def _masked_id(rng: random.Random, region_code: str) -> str:
    """First six (the birthplace division) and last four characters of an ID number; eight asterisks between."""
    birthplace = region_code if rng.random() < 0.7 else rng.choice(("210102", "210202", "210303", "210502", "211402"))
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
) -> tuple[list[Person], list[_PlannedQualification]]:
    numbers = _Numbers()
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
                id_number_masked=_masked_id(rng, institute.region.code),
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
                            number=f"{PROVINCE}计检证字第{serial:06d}号",
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
                            number=f"{PROVINCE}{grade}JL{start.year}{serial:05d}",
                            issued_on=start,
                            valid_until=end,
                        ),
                        [],
                        [],
                    )
                )
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
                        number=f"{PROVINCE}{label}字第{serial:04d}号",
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


# --- the whole of it ----------------------------------------------------------------------------------------------


def build_institutes(*, seed: int, today: date, catalog: dict[str, CatalogItem] | None = None) -> InstitutesResult:
    """Add the institutes' standards, equipment, certificates, staff, experts and authorizations to a freshly
    built demo city (called by :func:`jiliang.demo.city.build_city` inside its transaction)."""
    rng = random.Random(f"{seed}-institutes")
    if catalog is None:
        catalog = {item.code: item for item in CatalogItem.objects.all()}
    authorities = _authorities()
    procedures = _procedures()
    institutes = list(
        Organization.objects.filter(kind=Organization.Kind.INSTITUTE, region__isnull=False)
        .select_related("region")
        .order_by("region__code", "credit_code")
    )
    city_institute = next(o for o in institutes if o.region.level == Region.Level.CITY)
    county_institutes = [o for o in institutes if o.region.level == Region.Level.COUNTY]

    # Assessment certificate numbers run on per assessing authority and year, across all holders.
    numbers = _Numbers()
    planned, city_by_key = _plan_standards(rng, today, city_institute, county_institutes, numbers)
    planned += _authorized_enterprise(rng, today, numbers)
    Standard.objects.bulk_create([p.standard for p in planned], batch_size=500)
    _write_scope(planned, catalog, procedures)
    equipment, links = _plan_equipment(rng, planned, set(city_by_key))
    StandardEquipment.objects.bulk_create(equipment, batch_size=1000)
    certificates = _certificates(rng, today, links, city_by_key, authorities, city_institute)
    EquipmentCertificate.objects.bulk_create(certificates, batch_size=1000)

    templates_of: dict[int, list[Template]] = {}
    for plan in planned:
        kept = templates_of.setdefault(plan.standard.holder_id, [])
        if plan.template not in kept:
            kept.append(plan.template)
    people, quals = _staff(rng, today, institutes, templates_of)
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
            kind=Organization.Kind.OWNER, category__in=(Organization.Category.HOSPITAL, Organization.Category.UTILITY)
        ).order_by("credit_code")
    )
    rng.shuffle(outside)
    experts = _experts(rng, today, people, specialties, outside)
    Expert.objects.bulk_create(experts)

    authorizations = _authorizations(rng, today, planned, institutes, catalog)
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


# The power company is the city's authorized institute (授权计量机构) for electricity meters, as is usual.
AUTHORIZED_ENTERPRISE = f"国网{names.CITY_NAME}供电公司"


def _authorized_enterprise(rng: random.Random, today: date, numbers: _Numbers) -> list[_Planned]:
    """The power company's own (non-public) energy-meter standard, its equipment calibrated by the city's."""
    company = Organization.objects.filter(name=AUTHORIZED_ENTERPRISE).first()
    if company is None:
        return []
    template = next(t for t in TEMPLATES if t.key == "energy_meter")
    own = Template(
        key="enterprise_energy_meter",
        code="04113121",
        name="单相电能表检定装置",
        measurand=template.measurand,
        measuring_range="220 V，(0.01～100) A",
        uncertainty="0.05级",
        items=template.items,
        procedures=template.procedures,
        equipment=template.equipment,
        parent="energy_meter",
    )
    standard = _standard(
        rng,
        today,
        company,
        own,
        level=Standard.Level.ENTERPRISE,
        assessor_prefix=names.CITY_SHORT[0],
        numbers=numbers,
        is_public=False,
        highest=True,
    )
    return [_Planned(standard, own)]


def _authorizations(
    rng: random.Random,
    today: date,
    planned: list[_Planned],
    institutes: list[Organization],
    catalog: dict[str, CatalogItem],
) -> int:
    """Each legal institute authorized, by the bureau of its region, for the catalog items its standards cover; and
    the power company for electricity meters (by the city bureau)."""
    bureaus = {
        o.region_id: o
        for o in Organization.objects.filter(kind=Organization.Kind.REGULATOR)
        .select_related("region")
        .order_by("credit_code")
    }
    items_of: dict[int, list[str]] = {}
    for plan in planned:
        kept = items_of.setdefault(plan.standard.holder_id, [])
        kept.extend(code for code in plan.template.items if code not in kept)
    holders = list(institutes)
    company = Organization.objects.filter(name=AUTHORIZED_ENTERPRISE).first()
    if company is not None:
        holders.append(company)
    city_bureau = next((b for b in bureaus.values() if b.region.level == Region.Level.CITY), None)
    rows: list[tuple[Authorization, list[str]]] = []
    serial = 0
    for holder in holders:
        codes = sorted(c for c in items_of.get(holder.pk, []) if c in catalog)
        issued_by = bureaus.get(holder.region_id) if holder.kind == Organization.Kind.INSTITUTE else city_bureau
        if not codes or issued_by is None:
            continue
        serial += 1
        start = today - timedelta(days=rng.randint(60, 4 * 365))
        rows.append(
            (
                Authorization(
                    institute=holder,
                    issued_by=issued_by,
                    number=f"（{start.year}）{names.CITY_SHORT}量授字第{serial:03d}号",
                    valid_from=start,
                    valid_until=_years(start, 5) - timedelta(days=1),
                ),
                codes,
            )
        )
    Authorization.objects.bulk_create([a for a, _codes in rows])
    through = Authorization.catalog_items.through
    through.objects.bulk_create(
        [through(authorization_id=a.pk, catalogitem_id=catalog[code].pk) for a, codes in rows for code in codes]
    )
    return len(rows)


def institute_user_organization() -> Organization | None:
    """The organization of the demo institute user (``institute``), if it exists."""
    user = User.objects.filter(username="institute").select_related("organization").first()
    return user.organization if user else None


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
