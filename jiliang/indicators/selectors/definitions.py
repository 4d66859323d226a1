"""The indicator definitions, each implemented once (selectors over the records).

INTERFACE (used by snapshots, dashboards, reports; keep it):

- :class:`Figure` — one region's figure.
- :func:`indicator_figures` — the figures of one indicator for the city and each county on a day.
- :data:`DEFINITION_TEXT` — the definition in words, shown beside every figure.

Each computed definition is one selector ``name(*, city, counties, day[, since]) -> {region id: Figure}``. They are
not scoped by user (the dashboards scope); each reads the registry with one GROUP BY by region, so the cost does not
grow with the number of counties (10^6 instruments: one pass over the instruments index per definition).

The region rule, everywhere: the city's figure counts every region in the city's subtree (its counties and the
owners and institutes seated at the city itself); a county's figure counts its own subtree.

What the records cannot tell, and is therefore read as it stands now: an instrument's status (in use / stopped /
scrapped) and its mandatory flag, a certificate's revocation or supersession, a standard's public/highest flags.
Everything with a date of its own (verifications, registration, qualifications, staff, requests, validity) is
read as of the day asked for, so past days give past figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiliang.catalog.models import CatalogItem
from jiliang.core.models import Organization, Region
from jiliang.instruments.models import Instrument
from jiliang.metrology.coverage import percent
from jiliang.metrology.fees import VERIFICATION, WAIVED_CATEGORIES
from jiliang.people.models import Person, Qualification
from jiliang.standards.models import Authorization, Standard
from jiliang.standards.selectors.coverage import coverage_report
from jiliang.standards.selectors.standards import authorization_in_force_q, valid_standards, with_validity_data
from jiliang.verification.models import RequestItem, ServiceRequest, VerificationRecord
from jiliang.verification.selectors.records import valid_verification_q

from ..models import ENTERED_DEFINITIONS, Definition, EnteredFigure, Indicator


@dataclass(frozen=True)
class Figure:
    """One region's figure. ``value``: a percentage 0–100 (percent units) or a count/average; None when there is
    nothing to measure (denominator 0) or the definition gives no figure for that region."""

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    # Entered definitions: the EnteredFigure that gave the value (None: nothing entered yet).
    entered_figure_id: int | None = None


NONE = Figure(None)
CENT = Decimal("0.01")

D = Definition
DEFINITION_TEXT: dict[str, str] = {
    D.COVERAGE: _(
        "检定覆盖率 = 统计日有有效检定的在用强检计量器具数 ÷ 在用强检计量器具总数 × 100%。"
        "在用强检计量器具：属于强制检定、状态为在用、备案日期不晚于统计日的器具；"
        "有效检定：检定日期不晚于统计日、下次检定日期不早于统计日（或无下次检定日期）的合格检定记录，"
        "其证书未被撤销或替代（平台出具或既往登记均可）。"
        "市级数值统计全市（各县区及市本级单位）的器具，县区数值统计本县区的器具。"
    ),
    D.VERIFIED_RATE: _(
        "受检率 = 应检器具中在统计期内受检的器具数 ÷ 统计期内应检的在用强检计量器具数 × 100%。"
        "统计期为截至统计日的12个月（上年同日的次日至统计日）。"
        "应检器具：在用强检计量器具中，备案日期不晚于统计日、且没有一次在统计期开始前完成并覆盖整个统计期"
        "（下次检定日期晚于统计日或无下次检定日期）的有效检定的器具；"
        "受检：统计期内有任一检定记录（不论结论，平台出具或既往登记）。"
        "市级数值统计全市，县区数值统计本县区。"
    ),
    D.VERIFIED_RATE_KEY_CONTROLLED: _(
        "国家重点管理计量器具受检率：口径同强检计量器具受检率（截至统计日的12个月），"
        "仅统计目录中列为国家重点管理的计量器具。市级数值统计全市，县区数值统计本县区。"
    ),
    D.PUBLIC_STANDARDS_CITY: _(
        "统计日有效的市级社会公用计量标准数：全市各单位持有的、级别为市级的社会公用计量标准中，"
        "统计日在用、考核证书在有效期内且每台标准设备均有有效溯源证书的项数。只有市级数值。"
    ),
    D.PUBLIC_STANDARDS_COUNTY_AVG: _(
        "县级社会公用计量标准平均数 = 各县区持有的统计日有效的县级社会公用计量标准项数之和 ÷ 县区个数。"
        "县区数值为本县区的项数。"
    ),
    D.HIGHEST_STANDARDS: _(
        "统计日有效的市级最高计量标准数：全市各单位持有的、级别为市级的最高计量标准中，"
        "统计日在用、考核证书在有效期内且每台标准设备均有有效溯源证书的项数。只有市级数值。"
    ),
    D.NEW_STANDARDS: _(
        "新建社会公用计量标准数：建标日期在规划期起始年1月1日至统计日之间的社会公用计量标准项数，"
        "不论其目前状态。按建标单位所在区域统计：市级数值统计全市，县区数值统计本县区。"
    ),
    D.STANDARD_COVERAGE: _(
        "建标覆盖率 = 区域内有在用强检计量器具、且有统计日有效的社会公用计量标准覆盖的目录条目数 ÷ "
        "区域内有在用强检计量器具的目录条目数 × 100%。市级：全市的器具与全市的社会公用计量标准；"
        "县区：本县区的器具，与本县区及市本级的社会公用计量标准。"
    ),
    D.ITEMS_OFFERED: _(
        "检定校准项目数：区域内检定机构统计日有效的计量授权所含目录条目，与区域内检定机构统计日有效的"
        "计量标准所覆盖的目录条目的并集中不同条目的个数。市级数值统计全市，县区数值统计本县区。"
    ),
    D.METROLOGISTS_ADDED: _(
        "新增注册计量师数：区域内各单位人员中，首次取得注册计量师资格的发证日期在规划期起始年1月1日至"
        "统计日之间的人数（期内续期、升级不重复计算）。市级数值统计全市，县区数值统计本县区。"
    ),
    D.ASSESSORS_ADDED: _(
        "新增考评员数：区域内各单位人员中，首次取得计量机构考评员或计量标准考评员资格的发证日期在"
        "规划期起始年1月1日至统计日之间的人数（每人只计一次）。市级数值统计全市，县区数值统计本县区。"
    ),
    D.SENIOR_TITLE_RATIO_CITY: _(
        "市级检定机构高级职称比例 = 市本级检定机构统计日在职人员中具有高级工程师职称的人数 ÷ "
        "在职人员总数 × 100%。在职：入职日期为空或不晚于统计日，离职日期为空或晚于统计日。只有市级数值。"
    ),
    D.INTERMEDIATE_TITLE_RATIO_CITY: _(
        "市级检定机构中级职称比例 = 市本级检定机构统计日在职人员中具有工程师（中级）职称的人数 ÷ "
        "在职人员总数 × 100%。在职：入职日期为空或不晚于统计日，离职日期为空或晚于统计日。只有市级数值。"
    ),
    D.SENIOR_TITLE_RATIO_COUNTY: _(
        "县级检定机构高级职称比例 = 县区检定机构统计日在职人员中具有高级工程师职称的人数 ÷ "
        "在职人员总数 × 100%。市级数值合并统计全部县区检定机构，县区数值统计本县区检定机构。"
    ),
    D.INTERMEDIATE_TITLE_RATIO_COUNTY: _(
        "县级检定机构中级职称比例 = 县区检定机构统计日在职人员中具有工程师（中级）职称的人数 ÷ "
        "在职人员总数 × 100%。市级数值合并统计全部县区检定机构，县区数值统计本县区检定机构。"
    ),
    D.FEE_WAIVED_SHARE: _(
        "免费检定比例 = 免费检定的器具数 ÷ 应免费检定的器具数 × 100%。应免费检定的器具：规划期起始年"
        "1月1日至统计日提交的检定申请（已撤回、不予受理的除外）中，乡镇卫生院、社区卫生服务中心和集贸市场"
        "的强检计量器具；免费：按申请提交之日适用的规定不收取费用（减免金额不低于收费金额）——"
        "2017年3月31日以前依《阜新市计量发展规划（2015—2020年）》减免；2017年4月1日起强制检定一律免费"
        "（财税〔2017〕20号）。按申请单位所在区域统计。"
    ),
    D.RESEARCH_PROJECTS: _(
        "录入数值：各区域截至统计日最近一次录入的已完成科研项目数（被更正的记录以更正记录为准），"
        "注明来源文件。市级数值为市级录入的数值，不汇总县区。"
    ),
    D.LOCAL_SPECIFICATIONS: _(
        "录入数值：各区域截至统计日最近一次录入的主导或参与制定的地方计量技术规范数"
        "（被更正的记录以更正记录为准），注明来源文件。市级数值为市级录入的数值，不汇总县区。"
    ),
    D.MODEL_UNITS: _(
        "录入数值：各区域截至统计日最近一次录入的诚信计量示范单位数（被更正的记录以更正记录为准），"
        "注明来源文件。市级数值为市级录入的数值，不汇总县区。"
    ),
    D.PACKAGE_PASS_RATE: _(
        "录入数值：各区域截至统计日最近一次录入的定量包装商品净含量抽检合格率"
        "（被更正的记录以更正记录为准），注明来源文件。市级数值为市级录入的数值，不汇总县区。"
    ),
    D.GB17167_COMPLIANCE: _(
        "录入数值：各区域截至统计日最近一次录入的重点用能单位能源计量器具配备符合 GB 17167 的比例"
        "（被更正的记录以更正记录为准），注明来源文件。市级数值为市级录入的数值，不汇总县区。"
    ),
    D.PRODUCT_SAMPLING_PASS_RATE: _(
        "录入数值：各区域截至统计日最近一次录入的计量器具产品质量抽查合格率"
        "（被更正的记录以更正记录为准），注明来源文件。市级数值为市级录入的数值，不汇总县区。"
    ),
}


# ---------------------------------------------------------------------------------------------------------------
# Regions and figures


class _Regions:
    """The city's region tree in memory (tens of rows): which region ids each figure counts."""

    def __init__(self, city: Region, counties: Sequence[Region]) -> None:
        children: dict[int, list[int]] = defaultdict(list)
        for region_id, parent_id in Region.objects.order_by().values_list("id", "parent_id"):
            if parent_id is not None:
                children[parent_id].append(region_id)

        def subtree(root: int) -> set[int]:
            found, frontier = {root}, [root]
            while frontier:
                frontier = [c for p in frontier for c in children.get(p, ()) if c not in found]
                found.update(frontier)
            return found

        self.city_id = city.pk
        self.county_ids = [c.pk for c in counties]
        self.all_ids = subtree(city.pk)
        self.subtrees = {cid: subtree(cid) for cid in self.county_ids}
        self.subtrees[city.pk] = self.all_ids
        # Regions of the city not under any county: the city itself (and anything else seated there).
        self.city_seat_ids = self.all_ids - set().union(*(self.subtrees[c] for c in self.county_ids))

    @property
    def figure_ids(self) -> list[int]:
        return [self.city_id, *self.county_ids]

    def sums(self, per_region: dict[int, int]) -> dict[int, int]:
        """Per-region counts (which add: each counted row sits in one region) summed into each figure's regions."""
        return {fid: sum(per_region.get(r, 0) for r in self.subtrees[fid]) for fid in self.figure_ids}

    def unions(self, per_region: dict[int, set]) -> dict[int, set]:
        """Per-region sets united into each figure's regions (distinct counts do not add)."""
        return {fid: set().union(*(per_region.get(r, set()) for r in self.subtrees[fid])) for fid in self.figure_ids}


def _percent(numerator: int, denominator: int) -> Figure:
    return Figure(percent(numerator, denominator), numerator, denominator)


def _count(n: int) -> Figure:
    return Figure(Decimal(n))


def _ratios(regions: _Regions, numerators: dict[int, int], denominators: dict[int, int]) -> dict[int, Figure]:
    num, den = regions.sums(numerators), regions.sums(denominators)
    return {fid: _percent(num[fid], den[fid]) for fid in regions.figure_ids}


def _counts(regions: _Regions, per_region: dict[int, int]) -> dict[int, Figure]:
    return {fid: _count(n) for fid, n in regions.sums(per_region).items()}


def _city_only(regions: _Regions, figure: Figure) -> dict[int, Figure]:
    return {fid: (figure if fid == regions.city_id else NONE) for fid in regions.figure_ids}


def _year_before(day: date) -> date:
    """The first day of the 12 months ending on ``day`` (2024-02-29 → 2023-03-01)."""
    try:
        start = day.replace(year=day.year - 1)
    except ValueError:  # 29 February: the year before has none
        start = date(day.year - 1, 2, 28)
    return start + timedelta(days=1)


def _day_bounds(since: date, day: date) -> tuple[datetime, datetime]:
    """[since 00:00, day + 1 00:00) in the local time zone: the dates a user reads on a timestamp."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(since, time.min), tz),
        timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz),
    )


# ---------------------------------------------------------------------------------------------------------------
# Instruments


def _in_use_mandatory(regions: _Regions, day: date):
    # Registered on or before the day: an instrument not yet on the register was not counted that day.
    return Instrument.objects.filter(
        mandatory=True, status=Instrument.Status.IN_USE, registered_on__lte=day, region_id__in=regions.all_ids
    )


def coverage(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    """检定覆盖率 on ``day``, from the records (so a past day gives that day's figure)."""
    regions = _Regions(city, counties)
    valid_on_day = VerificationRecord.objects.filter(
        valid_verification_q(), instrument=OuterRef("pk"), performed_on__lte=day
    ).filter(Q(next_due_on__gte=day) | Q(next_due_on__isnull=True))
    rows = (
        _in_use_mandatory(regions, day)
        .values("region_id")
        .annotate(total=Count("id"), covered=Count("id", filter=Q(Exists(valid_on_day))))
        .order_by()
    )
    total = {r["region_id"]: r["total"] for r in rows}
    covered = {r["region_id"]: r["covered"] for r in rows}
    return _ratios(regions, covered, total)


def _verified_rate(regions: _Regions, day: date, *, key_controlled: bool) -> dict[int, Figure]:
    start, end = _year_before(day), day
    # Not due in the period: a valid verification done before it that stays in force past its end.
    covers_period = VerificationRecord.objects.filter(
        valid_verification_q(), instrument=OuterRef("pk"), performed_on__lt=start
    ).filter(Q(next_due_on__gt=end) | Q(next_due_on__isnull=True))
    # Verified in the period: any verification (pass or fail, platform or declared) done within it.
    verified_in_period = VerificationRecord.objects.filter(
        instrument=OuterRef("pk"), kind=VERIFICATION, performed_on__gte=start, performed_on__lte=end
    )
    due = _in_use_mandatory(regions, day).filter(~Exists(covers_period))
    if key_controlled:
        due = due.filter(catalog_item__key_controlled=True)
    rows = (
        due.values("region_id")
        .annotate(due=Count("id"), verified=Count("id", filter=Q(Exists(verified_in_period))))
        .order_by()
    )
    return _ratios(regions, {r["region_id"]: r["verified"] for r in rows}, {r["region_id"]: r["due"] for r in rows})


def verified_rate(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    """受检率 over the 12 months ending on ``day``."""
    return _verified_rate(_Regions(city, counties), day, key_controlled=False)


def verified_rate_key_controlled(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    """受检率 of instruments in the national key-controlled catalog, over the 12 months ending on ``day``."""
    return _verified_rate(_Regions(city, counties), day, key_controlled=True)


# ---------------------------------------------------------------------------------------------------------------
# Standards


def _valid_standards_by_region(
    regions: _Regions, day: date, *, with_items: bool = False, **filters
) -> dict[int, list[Standard]]:
    """Standards held in the city and valid on ``day`` (the one validity rule), by the holder's region."""
    qs = Standard.objects.filter(holder__region_id__in=regions.all_ids, **filters).annotate(
        holder_region_id=F("holder__region_id")
    )
    if with_items:
        qs = qs.prefetch_related(Prefetch("catalog_items", queryset=CatalogItem.objects.only("id")))
    found: dict[int, list[Standard]] = defaultdict(list)
    for standard in valid_standards(with_validity_data(qs), day):
        found[standard.holder_region_id].append(standard)
    return found


def public_standards_city(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    """Valid public standards of level city held in the city (city figure only)."""
    regions = _Regions(city, counties)
    found = _valid_standards_by_region(regions, day, is_public=True, level=Standard.Level.CITY)
    return _city_only(regions, _count(sum(len(s) for s in found.values())))


def public_standards_county_avg(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    """Valid public standards of level county held in each county; the city's figure is their mean per county."""
    regions = _Regions(city, counties)
    found = _valid_standards_by_region(regions, day, is_public=True, level=Standard.Level.COUNTY)
    per_county = regions.sums({r: len(s) for r, s in found.items()})
    figures = {cid: _count(per_county[cid]) for cid in regions.county_ids}
    total, n = sum(per_county[cid] for cid in regions.county_ids), len(regions.county_ids)
    mean = (Decimal(total) / n).quantize(CENT, rounding=ROUND_HALF_UP) if n else None
    figures[regions.city_id] = Figure(mean, total, n)
    return figures


def highest_standards(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    """Valid highest standards of level city held in the city (city figure only)."""
    regions = _Regions(city, counties)
    found = _valid_standards_by_region(regions, day, is_highest=True, level=Standard.Level.CITY)
    return _city_only(regions, _count(sum(len(s) for s in found.values())))


def new_standards(*, city: Region, counties: Sequence[Region], since: date, day: date) -> dict[int, Figure]:
    """Public standards established in [since, day], whatever their state now, by the holder's region."""
    regions = _Regions(city, counties)
    rows = (
        Standard.objects.filter(
            is_public=True,
            established_on__gte=since,
            established_on__lte=day,
            holder__region_id__in=regions.all_ids,
        )
        .values("holder__region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _counts(regions, {r["holder__region_id"]: r["n"] for r in rows})


def standard_coverage(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    """建标覆盖率, as :func:`jiliang.standards.selectors.coverage.coverage_report` computes it (the one implementation)."""
    report = coverage_report(city, day=day)
    by_region = {report.root.region.pk: report.root, **{c.region.pk: c for c in report.counties}}
    figures: dict[int, Figure] = {}
    for region_id in [city.pk, *(c.pk for c in counties)]:
        found = by_region.get(region_id)
        figures[region_id] = NONE if found is None else _percent(found.numerator, found.denominator)
    return figures


def items_offered(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    """Distinct catalog items that the region's institutes are authorized for or hold a valid standard for."""
    regions = _Regions(city, counties)
    items: dict[int, set[int]] = defaultdict(set)
    through = Authorization.catalog_items.through
    authorized = (
        through.objects.filter(
            authorization_in_force_q(day, prefix="authorization__"),
            authorization__institute__region_id__in=regions.all_ids,
        )
        .values_list("authorization__institute__region_id", "catalogitem_id")
        .distinct()
    )
    for region_id, item_id in authorized:
        items[region_id].add(item_id)
    # Institutes only: an enterprise's own standards serve its own instruments, not the public.
    held = _valid_standards_by_region(regions, day, with_items=True, holder__kind=Organization.Kind.INSTITUTE)
    for region_id, standards in held.items():
        for standard in standards:
            items[region_id].update(i.id for i in standard.catalog_items.all())
    return {fid: _count(len(s)) for fid, s in regions.unions(items).items()}


# ---------------------------------------------------------------------------------------------------------------
# People


def _persons_first_qualified(regions: _Regions, kinds: Iterable[str], since: date, day: date) -> dict[int, Figure]:
    kinds = list(kinds)
    in_period = Qualification.objects.filter(
        person=OuterRef("pk"), kind__in=kinds, issued_on__gte=since, issued_on__lte=day
    )
    # Added means first qualified in the period: a renewal or a higher grade of someone qualified before is not new.
    before = Qualification.objects.filter(person=OuterRef("pk"), kind__in=kinds, issued_on__lt=since)
    rows = (
        Person.objects.filter(organization__region_id__in=regions.all_ids)
        .filter(Exists(in_period), ~Exists(before))
        .values("organization__region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _counts(regions, {r["organization__region_id"]: r["n"] for r in rows})


def metrologists_added(*, city: Region, counties: Sequence[Region], since: date, day: date) -> dict[int, Figure]:
    """Persons first registered as metrologists (注册计量师) in [since, day]."""
    return _persons_first_qualified(_Regions(city, counties), [Qualification.Kind.REGISTERED_METROLOGIST], since, day)


def assessors_added(*, city: Region, counties: Sequence[Region], since: date, day: date) -> dict[int, Figure]:
    """Persons first qualified as an institute or standard assessor (考评员) in [since, day]."""
    kinds = [Qualification.Kind.INSTITUTE_ASSESSOR, Qualification.Kind.STANDARD_ASSESSOR]
    return _persons_first_qualified(_Regions(city, counties), kinds, since, day)


def _title_counts(regions: _Regions, day: date, title: str, region_ids: Iterable[int]):
    on_staff = (Q(hired_on__isnull=True) | Q(hired_on__lte=day)) & (Q(left_on__isnull=True) | Q(left_on__gt=day))
    rows = (
        Person.objects.filter(
            on_staff, organization__kind=Organization.Kind.INSTITUTE, organization__region_id__in=list(region_ids)
        )
        .values("organization__region_id")
        .annotate(staff=Count("id"), titled=Count("id", filter=Q(title=title)))
        .order_by()
    )
    return (
        {r["organization__region_id"]: r["titled"] for r in rows},
        {r["organization__region_id"]: r["staff"] for r in rows},
    )


def _title_ratio_city(regions: _Regions, day: date, title: str) -> dict[int, Figure]:
    # Institutes seated at the city level itself (not in a county).
    titled, staff = _title_counts(regions, day, title, [regions.city_id])
    return _city_only(regions, _percent(titled.get(regions.city_id, 0), staff.get(regions.city_id, 0)))


def _title_ratio_county(regions: _Regions, day: date, title: str) -> dict[int, Figure]:
    county_regions = set().union(*(regions.subtrees[c] for c in regions.county_ids))
    titled, staff = _title_counts(regions, day, title, county_regions)
    figures = _ratios(regions, titled, staff)
    # The city's figure pools the county institutes only (sums() would add institutes seated at the city).
    figures[regions.city_id] = _percent(
        sum(titled.get(r, 0) for r in county_regions), sum(staff.get(r, 0) for r in county_regions)
    )
    return figures


def senior_title_ratio_city(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    return _title_ratio_city(_Regions(city, counties), day, Person.Title.SENIOR)


def intermediate_title_ratio_city(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    return _title_ratio_city(_Regions(city, counties), day, Person.Title.INTERMEDIATE)


def senior_title_ratio_county(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    return _title_ratio_county(_Regions(city, counties), day, Person.Title.SENIOR)


def intermediate_title_ratio_county(*, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    return _title_ratio_county(_Regions(city, counties), day, Person.Title.INTERMEDIATE)


# ---------------------------------------------------------------------------------------------------------------
# Fees


def fee_waived_share(*, city: Region, counties: Sequence[Region], since: date, day: date) -> dict[int, Figure]:
    """Items the plan's free verification covers that were fully waived ÷ all such items, requests in [since, day].

    Eligible: service verification, a mandatory instrument, an owner of a WAIVED_CATEGORIES category. Free is
    :func:`jiliang.metrology.fees.is_free_of_charge` with the rule of each request's own date, as the items
    store it: before 2017-04-01 the plan's waiver (waived = fee), from then on free mandatory verification
    (财税〔2017〕20号: fee 0, nothing to waive). Both read ``waived >= fee``.
    """
    regions = _Regions(city, counties)
    start, end = _day_bounds(since, day)
    rows = (
        RequestItem.objects.filter(
            request__service=VERIFICATION,
            request__submitted_at__gte=start,
            request__submitted_at__lt=end,
            request__region_id__in=regions.all_ids,
            request__owner__category__in=list(WAIVED_CATEGORIES),
            instrument__mandatory=True,
        )
        .exclude(request__status__in=[ServiceRequest.Status.WITHDRAWN, ServiceRequest.Status.REJECTED])
        .values("request__region_id")
        .annotate(eligible=Count("id"), waived=Count("id", filter=Q(waived__gte=F("fee"))))
        .order_by()
    )
    return _ratios(
        regions,
        {r["request__region_id"]: r["waived"] for r in rows},
        {r["request__region_id"]: r["eligible"] for r in rows},
    )


# ---------------------------------------------------------------------------------------------------------------
# Entered figures


def entered_figure(*, indicator: Indicator, city: Region, counties: Sequence[Region], day: date) -> dict[int, Figure]:
    """Per region: the latest entry of ``indicator`` with as_of ≤ day that no other entry corrects.

    A correction replaces the entry it corrects on every day (the corrected value is known to be wrong); the
    correction itself counts from its own as_of. The city's figure is the city's own entry (counties are not summed).
    """
    region_ids = [city.pk, *(c.pk for c in counties)]
    corrected = EnteredFigure.objects.filter(corrects=OuterRef("pk"))
    entries = (
        EnteredFigure.objects.filter(indicator=indicator, region_id__in=region_ids, as_of__lte=day)
        .filter(~Exists(corrected))
        .order_by("region_id", "-as_of", "-entered_at", "-pk")
        .values_list("region_id", "pk", "value")
    )
    latest: dict[int, Figure] = {}
    for region_id, pk, value in entries:
        latest.setdefault(region_id, Figure(value, entered_figure_id=pk))
    return {rid: latest.get(rid, NONE) for rid in region_ids}


# ---------------------------------------------------------------------------------------------------------------
# Dispatch

Selector = Callable[..., dict[int, Figure]]

ON_DAY: dict[str, Selector] = {
    D.COVERAGE: coverage,
    D.VERIFIED_RATE: verified_rate,
    D.VERIFIED_RATE_KEY_CONTROLLED: verified_rate_key_controlled,
    D.PUBLIC_STANDARDS_CITY: public_standards_city,
    D.PUBLIC_STANDARDS_COUNTY_AVG: public_standards_county_avg,
    D.HIGHEST_STANDARDS: highest_standards,
    D.STANDARD_COVERAGE: standard_coverage,
    D.ITEMS_OFFERED: items_offered,
    D.SENIOR_TITLE_RATIO_CITY: senior_title_ratio_city,
    D.INTERMEDIATE_TITLE_RATIO_CITY: intermediate_title_ratio_city,
    D.SENIOR_TITLE_RATIO_COUNTY: senior_title_ratio_county,
    D.INTERMEDIATE_TITLE_RATIO_COUNTY: intermediate_title_ratio_county,
}
# Counted from 1 January of the plan's first year up to the day.
IN_PLAN_PERIOD: dict[str, Selector] = {
    D.NEW_STANDARDS: new_standards,
    D.METROLOGISTS_ADDED: metrologists_added,
    D.ASSESSORS_ADDED: assessors_added,
    D.FEE_WAIVED_SHARE: fee_waived_share,
}


def indicator_figures(
    indicator: Indicator, *, city: Region, counties: Sequence[Region], day: date
) -> dict[int, Figure]:
    """Figures keyed by region id: ``city.pk`` and each county's pk."""
    definition = indicator.definition
    if definition in ENTERED_DEFINITIONS:
        return entered_figure(indicator=indicator, city=city, counties=counties, day=day)
    if definition in ON_DAY:
        return ON_DAY[definition](city=city, counties=counties, day=day)
    if definition in IN_PLAN_PERIOD:
        since = date(indicator.plan.period_start, 1, 1)
        return IN_PLAN_PERIOD[definition](city=city, counties=counties, since=since, day=day)
    raise ValueError(f"unknown definition {definition!r}")
