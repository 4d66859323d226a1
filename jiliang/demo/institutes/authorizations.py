"""Authorizations: the power company as the city's authorized institute (授权计量机构) for electricity meters, with its
own standard, and each institute's authorization for the items its standards cover."""

from __future__ import annotations

import random
from datetime import date, timedelta

from jiliang.catalog.models import CatalogItem
from jiliang.core.models import Organization, Region
from jiliang.standards.models import Authorization, Standard

from .. import names
from ..standards_data import TEMPLATES, Template
from .common import _Numbers, _Planned, _years
from .standards import _standard


def authorized_enterprise(city: names.City) -> str:
    """The power company, the city's authorized institute (授权计量机构) for electricity meters, as is usual."""
    return f"国网{city.name}供电公司"


def _authorized_enterprise(rng: random.Random, today: date, numbers: _Numbers, city: names.City) -> list[_Planned]:
    """The power company's own (non-public) energy-meter standard, its equipment calibrated by the city's."""
    company = Organization.objects.filter(name=authorized_enterprise(city)).first()
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
        numbers=numbers,
        city=city,
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
    city: names.City,
) -> int:
    """Each legal institute authorized, by the bureau of its region, for the catalog items its standards cover; and
    the power company for electricity meters (by the city bureau)."""
    bureaus = {
        o.region_id: o
        for o in Organization.objects.filter(kind=Organization.Kind.REGULATOR, region__code__startswith=city.code[:4])
        .select_related("region")
        .order_by("credit_code")
    }
    items_of: dict[int, list[str]] = {}
    for plan in planned:
        kept = items_of.setdefault(plan.standard.holder_id, [])
        kept.extend(code for code in plan.template.items if code not in kept)
    holders = list(institutes)
    company = Organization.objects.filter(name=authorized_enterprise(city)).first()
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
                    number=f"（{start.year}）{city.short}量授字第{serial:03d}号",
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
