"""The institutes' public measurement standards, from the templates of ``standards_data``: the standards with
their assessment certificates, their equipment, and the equipment's traceability certificates up the chain (county
standard → city standard → provincial institute → 中国计量科学研究院), and what each standard covers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from jiliang.catalog.models import CatalogItem, Procedure
from jiliang.core.models import Organization
from jiliang.metrology.due import add_months
from jiliang.standards.models import EquipmentCertificate, ExternalAuthority, Standard, StandardEquipment

from .. import names
from ..standards_data import PROCEDURE_NAMES, SECOND_RANGES, STD, TEMPLATES, UNCOVERED_ITEMS, Equip, Template
from .common import _Numbers, _Planned, _years

NIM = "中国计量科学研究院"
OTHER = "中国测试技术研究院"

# Share of county institutes keeping each county-level template.
COUNTY_KEEP = 0.85


# --- external authorities and procedures ----------------------------------------------------------------------


def _authorities(city: names.City) -> dict[str, ExternalAuthority]:
    """The national institute, the city's provincial institute and one other national institute."""
    nim, _created = ExternalAuthority.objects.get_or_create(
        name=NIM, defaults={"level": ExternalAuthority.Level.NATIONAL}
    )
    provincial, _created = ExternalAuthority.objects.get_or_create(
        name=city.provincial_institute, defaults={"level": ExternalAuthority.Level.PROVINCIAL, "traces_to": nim}
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
    numbers: _Numbers,
    city: names.City,
    code: str | None = None,
    measuring_range: str | None = None,
    uncertainty: str | None = None,
    highest: bool = False,
    expired: bool = False,
    is_public: bool = True,
) -> Standard:
    issued, valid_until = _assessment_dates(rng, today, expired=expired)
    # The province assesses the city's standards, the city its counties' and its enterprises'.
    assessor_prefix = city.province_short if level == Standard.Level.CITY else city.short[0]
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
    city: names.City,
) -> tuple[list[_Planned], dict[str, Standard]]:
    """City standards (every template, some twice with a second range) and county standards (the templates marked
    for counties, each kept by most county institutes); returns the plan and the city standards by key."""
    planned: list[_Planned] = []
    city_by_key: dict[str, Standard] = {}
    city_standard = partial(
        _standard, rng, today, city_institute, level=Standard.Level.CITY, numbers=numbers, city=city
    )
    for template in TEMPLATES:
        assert not set(template.items) & set(UNCOVERED_ITEMS), template.key
        standard = city_standard(template, highest=template.highest)
        planned.append(_Planned(standard, template))
        city_by_key[template.key] = standard
        if template.key in SECOND_RANGES:
            code, measuring_range, uncertainty = SECOND_RANGES[template.key]
            second = city_standard(
                template,
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
                numbers=numbers,
                city=city,
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
    city: names.City,
    numbers: _Numbers,
) -> list[EquipmentCertificate]:
    """The certificate in force (or the last one, when it lapsed) and the one before it, for every piece; ``numbers``
    is shared by the cities, whose equipment the same national institutes calibrate."""
    prefixes = {"nim": "NIM", "provincial": city.provincial_prefix, "other": "CTJL"}
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
                prefix = city_institute.short_code or city.institute_code
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
