"""The owners of a demo city: names, kinds, places, credit codes; deterministic for a given random stream."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from jiliang.core.models import Organization, Region
from jiliang.metrology import uscc

from . import names
from .kinds import CATEGORY_SHARES, PROFILES, Profile

Category = Organization.Category


def apportion(total: int, weights: list[float], *, minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the lower index), giving each at
    least ``minimum`` when the total allows it.

    >>> apportion(10, [1, 1, 1])
    [4, 3, 3]
    >>> apportion(5, [100, 1, 1], minimum=1)
    [3, 1, 1]
    """
    if not weights:
        return []
    if total < minimum * len(weights):
        minimum = 0
    rest = total - minimum * len(weights)
    weight_sum = sum(weights)
    if weight_sum <= 0:
        weights, weight_sum = [1.0] * len(weights), float(len(weights))
    exact = [rest * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    left = rest - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:left]:
        counts[i] += 1
    return [c + minimum for c in counts]


_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """二, 十一, 二十三 … for 1 ≤ n ≤ 99.

    >>> [chinese_ordinal(n) for n in (2, 10, 11, 20, 23)]
    ['二', '十', '十一', '二十', '二十三']
    """
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])


def stem(place: str) -> str:
    """大屯镇 → 大屯, 站前街道 → 站前 (for names such as 站前农贸市场)."""
    for suffix in ("街道", "镇", "乡"):
        if place.endswith(suffix) and len(place) > len(suffix) + 1:
            return place[: -len(suffix)]
    return place


class CreditCodes:
    """Unique, valid unified social credit codes (GB 32100): authority and type, the division code, a
    9-character organization code (new-style ``MA…`` or old-style digits), and the check character."""

    BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()  # membership only; never iterated

    def make(self, kind_prefix: str, division: str) -> str:
        rng = self.rng
        while True:
            if rng.random() < 0.6:
                # New-style organization codes: MA (market regulation), MB (institutional), MJ (civil affairs).
                series = {"1": "MB", "5": "MJ"}.get(kind_prefix[0], "MA")
                body = series + "".join(rng.choice(self.BODY_CHARS) for _ in range(7))
            else:
                body = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice("0123456789X")
            code = uscc.make_code(kind_prefix + division, body)
            if code not in self.used:
                self.used.add(code)
                return code


def person_name(rng: random.Random) -> str:
    given = rng.choice(names.GIVEN_CHARS) + (rng.choice(names.GIVEN_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(names.SURNAMES) + given


def mobile(rng: random.Random) -> str:
    return rng.choice(names.MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def street_address(rng: random.Random, county: names.County) -> str:
    place = rng.choice(county.places)
    if county.urban or place.endswith("街道") or rng.random() < 0.5:
        return f"{county.name}{rng.choice(names.ROADS)}{rng.randint(1, 399)}号"
    return f"{county.name}{place}{rng.choice(names.VILLAGES)}村"


@dataclass
class OwnerPlan:
    organization: Organization
    profile: Profile
    county: names.County
    instruments: int = 0
    states: dict[str, int] = field(default_factory=dict)


def _places(county: names.County) -> list[str]:
    return [stem(p) for p in county.places] + list(names.ROADS)


def _bounded_pools(rng: random.Random, city: names.City) -> dict[str, list[tuple[str, names.County, str, str]]]:
    """Owner kinds a city has only so many of: (name, county, profile key, credit-code prefix), shuffled."""
    counties = city.counties
    urban = [c for c in counties if c.urban]
    # The first city hospital sits in the seat, so that the demo county has a hospital whatever the city's size.
    hospitals = [
        (city.name + n, city.seat if i == 0 else rng.choice(urban), "hospital", "12")
        for i, n in enumerate(names.CITY_HOSPITALS)
    ]
    for county in counties:
        hospitals += [(county.name + n, county, "hospital", "12") for n in names.COUNTY_HOSPITALS]
    private = [(f"{c.short}{w}医院", c, "hospital", "52") for c in counties for w in names.PRIVATE_HOSPITAL_WORDS]
    township = [
        (f"{c.name}{p}{'中心' if i == 0 else ''}卫生院", c, "township_clinic", "12")
        for c in counties
        for i, p in enumerate(p for p in c.places if not p.endswith("街道"))
    ]
    community = [
        (f"{c.name}{stem(p)}街道社区卫生服务中心", c, "community_clinic", "12")
        for c in counties
        for p in c.places
        if p.endswith("街道")
    ]
    community += [
        (f"{c.short}{w}社区卫生服务站", c, "community_clinic", "12") for c in counties for w in names.COMMUNITIES
    ]
    home = city.seat
    utilities = [
        (f"{city.name}自来水集团有限公司", home, "utility_water", "91"),
        (f"国网{city.name}供电公司", home, "utility_power", "91"),
        (f"{city.name}燃气集团有限公司", home, "utility_gas", "91"),
        (f"{city.name}热力有限公司", home, "utility_heat", "91"),
    ]
    for c in counties[1:]:
        utilities += [
            (f"{c.name}供水有限公司", c, "utility_water", "91"),
            (f"国网{city.name}供电公司{c.short}供电分公司", c, "utility_power", "91"),
            (f"{c.name}燃气有限公司", c, "utility_gas", "91"),
            (f"{c.name}热力有限公司", c, "utility_heat", "91"),
        ]
    taxis = [(f"{city.name}{w}出租汽车有限公司", rng.choice(urban), "taxi_company", "91") for w in names.TAXI_WORDS]
    taxis += [
        (f"{c.name}{w}出租汽车有限公司", c, "taxi_company", "91")
        for c in counties
        if not c.urban
        for w in names.TAXI_WORDS
    ]
    # Public hospitals first (every city has them), then private ones; the rest shuffled.
    rng.shuffle(private)
    pools = {
        Category.HOSPITAL: hospitals + private,
        Category.TOWNSHIP_CLINIC: township,
        Category.COMMUNITY_CLINIC: community,
        Category.UTILITY: utilities,
        Category.TAXI_COMPANY: taxis,
    }
    for key in (Category.TOWNSHIP_CLINIC, Category.COMMUNITY_CLINIC, Category.TAXI_COMPANY):
        rng.shuffle(pools[key])
    # Keep the city-wide utilities first, then one of each kind per county in turn.
    return pools


def _open_name(rng: random.Random, category: str, county: names.County, city: names.City) -> tuple[str, str, str]:
    """A fresh name for an owner kind a city can have any number of: (name, profile key, credit-code prefix)."""
    place = rng.choice(_places(county))
    if category == Category.MARKET_FAIR:
        kind = rng.choice(("农贸市场", "集贸市场", "综合市场", "菜市场", "农副产品批发市场"))
        return f"{county.name}{place}{kind}", "market_fair", "91"
    if category == Category.SUPERMARKET:
        return f"{rng.choice(names.SUPERMARKET_BRANDS)}超市{county.short}{place}店", "supermarket", "91"
    if category == Category.PETROL_STATION:
        if rng.random() < 0.15:
            return (
                f"{rng.choice(names.PETROL_BRANDS).format(city=city.short)}{county.short}{place}加气站",
                "gas_station",
                "91",
            )
        return (
            f"{rng.choice(names.PETROL_BRANDS).format(city=city.short)}{county.short}{place}加油站",
            "petrol_station",
            "91",
        )
    if category == Category.GLASSES_SHOP:
        prefix = "92" if rng.random() < 0.6 else "91"
        return f"{rng.choice(names.GLASSES_BRANDS)}眼镜{county.short}{place}店", "glasses_shop", prefix
    if category == Category.FACTORY:
        where = city.short if rng.random() < 0.3 else county.short
        word, industry = rng.choice(names.TRADE_WORDS), rng.choice(names.INDUSTRIES)
        return f"{where}{word}{industry}{rng.choice(names.COMPANY_FORMS)}", "factory", "91"
    if category == Category.SCHOOL:
        roll = rng.random()
        if roll < 0.3:
            return f"{county.name}第{chinese_ordinal(rng.randint(1, 15))}中学", "school", "12"
        if roll < 0.85:
            return f"{county.name}{place}{rng.choice(('小学', '中心小学', '中学', '幼儿园'))}", "school", "12"
        return f"{county.name}{rng.choice(names.TRADE_WORDS)}{rng.choice(('学校', '幼儿园'))}", "school", "52"
    raise ValueError(f"no open name generator for {category}")


def _fallback_name(name: str, k: int) -> str:
    """A second (third …) unit of the same name: 人民路加油站 → 人民路第二加油站, … 有限公司 → … 有限公司第二分公司."""
    n = chinese_ordinal(k)
    for tail in ("加油站", "加气站"):
        if name.endswith(tail):
            return f"{name[: -len(tail)]}第{n}{tail}"
    if name.endswith("店"):
        return f"{name[:-1]}{n}店"
    if name.endswith("公司"):
        return f"{name}第{n}分公司"
    if name.endswith(("小学", "中学", "学校", "幼儿园")):
        return f"{name}{n}校区"
    return f"{name}{n}区"


def _owner_counts(total: int, caps: dict[str, int]) -> dict[str, int]:
    categories = [c for c, _owners, _items in CATEGORY_SHARES]
    total = max(total, len(categories))
    counts = dict(zip(categories, apportion(total, [o for _c, o, _i in CATEGORY_SHARES], minimum=1), strict=True))
    excess = 0
    for category, cap in caps.items():
        if counts[category] > cap:
            excess += counts[category] - cap
            counts[category] = cap
    if excess:
        open_ = [c for c in categories if c not in caps]
        extra = apportion(excess, [next(o for c2, o, _i in CATEGORY_SHARES if c2 == c) for c in open_])
        for category, n in zip(open_, extra, strict=True):
            counts[category] += n
    return counts


def make_owners(
    rng: random.Random, codes: CreditCodes, regions: dict[str, Region], total: int, city: names.City
) -> list[OwnerPlan]:
    pools = _bounded_pools(rng, city)
    counts = _owner_counts(total, {c: len(p) for c, p in pools.items()})
    county_weights = [c.weight for c in city.counties]
    used: set[str] = set()  # membership only
    plans: list[OwnerPlan] = []
    for category, _owners, _items in CATEGORY_SHARES:
        for i in range(counts[category]):
            if category in pools:
                name, county, profile_key, prefix = pools[category][i]
            else:
                # The first of each kind sits in the seat: the demo logs in as owners of one county, of every kind.
                county = city.seat if i == 0 else rng.choices(city.counties, weights=county_weights)[0]
                for _attempt in range(30):
                    name, profile_key, prefix = _open_name(rng, category, county, city)
                    if name not in used:
                        break
                else:
                    base, k = name, 2
                    while (name := _fallback_name(base, k)) in used:
                        k += 1
            used.add(name)
            organization = Organization(
                name=name,
                kind=Organization.Kind.OWNER,
                category=category,
                credit_code=codes.make(prefix, county.code),
                region=regions[county.code],
                address=street_address(rng, county),
                contact=person_name(rng),
                phone=mobile(rng),
            )
            plans.append(OwnerPlan(organization, PROFILES[profile_key], county))
    return plans
