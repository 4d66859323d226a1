"""The demo's two cities (延安市, 阜新市): deterministic, valid, realistic enough to demonstrate every page, each a
region tree of its own that the other's regulators never see."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from jiliang.core.models import AuditEvent, Organization, Region, Role, User
from jiliang.demo import city, institutes
from jiliang.demo.kinds import CATEGORY_SHARES, KINDS, PROFILES
from jiliang.demo.names import CITIES
from jiliang.indicators.models import Plan
from jiliang.indicators.selectors.plans import plans_visible_to
from jiliang.instruments import selectors, tally
from jiliang.instruments.models import Instrument
from jiliang.instruments.services import derive
from jiliang.metrology import uscc
from jiliang.standards.selectors.standards import authorized_institutes
from jiliang.verification.models import VerificationRecord

from ..factories import wipe_instruments

TODAY = date(2026, 3, 16)
N = 500
Category = Organization.Category


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # The seed hashes the demo password once; the default PBKDF2 makes that (and authenticate) slow in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build(seed: int = 1, n: int = N) -> city.SeedResult:
    return city.build_city(seed=seed, instruments=n, today=TODAY)


def wipe() -> None:
    institutes.delete_institutes()
    wipe_instruments()
    User.objects.all().delete()
    Organization.objects.all().delete()


@pytest.fixture
def seeded(db) -> city.SeedResult:
    return build()


def states_on(day: date) -> Counter:
    return Counter(i.due_state(today=day) for i in Instrument.objects.all())


def test_same_seed_and_day_build_identical_cities(db):
    build(seed=7)
    first = city.city_digest()
    wipe()
    build(seed=7)
    assert city.city_digest() == first


def test_different_seeds_build_different_cities(db):
    build(seed=1)
    first = city.city_digest()
    first_names = set(Organization.objects.values_list("name", flat=True))
    wipe()
    build(seed=2)
    assert city.city_digest() != first
    assert set(Organization.objects.values_list("name", flat=True)) != first_names


def test_build_writes_the_requested_number_of_instruments_and_about_one_owner_per_25(seeded):
    assert seeded.instruments == N == Instrument.objects.count()
    # Split by the cities' shares (60 : 40), each with at least one owner of every kind.
    assert seeded.cities == {"yanan": 300, "fuxin": 200}
    owners = Organization.objects.filter(kind=Organization.Kind.OWNER).count()
    assert owners == seeded.owners == sum(max(len(CATEGORY_SHARES), n // 25) for n in seeded.cities.values())
    assert Instrument.objects.filter(region__code__startswith="6106").count() == 300
    assert Instrument.objects.values("owner").distinct().count() == owners


def test_every_credit_code_is_valid_unique_and_names_its_region(seeded):
    rows = list(Organization.objects.values_list("credit_code", "region__code"))
    assert rows
    for code, region_code in rows:
        assert uscc.is_valid(code), code
        assert code[2:8] == region_code
    assert len({code for code, _region in rows}) == len(rows)


# The county-level divisions as the issue lists them (GB/T 2260), stated independently of cities.toml.
DIVISIONS = {
    ("610600", "延安市", "610000", "陕西省"): {
        "宝塔区", "安塞区", "延长县", "延川县", "子长市", "志丹县", "吴起县",
        "甘泉县", "富县", "洛川县", "宜川县", "黄龙县", "黄陵县",
    },
    ("210900", "阜新市", "210000", "辽宁省"): {"海州区", "新邱区", "太平区", "清河门区", "细河区", "阜新蒙古族自治县", "彰武县"},
}  # fmt: skip


def test_each_city_sits_under_its_province_with_its_real_counties_each_with_a_bureau_and_an_institute(seeded):
    assert Region.objects.filter(level=Region.Level.CITY).count() == 2
    for (code, name, province_code, province), counties in DIVISIONS.items():
        the_city = Region.objects.get(level=Region.Level.CITY, code=code)
        assert the_city.name == name
        assert (the_city.parent.code, the_city.parent.name, the_city.parent.level) == (
            province_code,
            province,
            "province",
        )
        below = Region.objects.filter(parent=the_city)
        assert set(below.values_list("name", flat=True)) == counties
        assert set(below.values_list("level", flat=True)) == {Region.Level.COUNTY}
        assert all(len(c.code) == 6 and c.code.isdigit() and c.code[:4] == code[:4] for c in below)
        for region in [the_city, *below]:
            assert region.organizations.filter(kind=Organization.Kind.REGULATOR).count() == 1
            assert region.organizations.filter(kind=Organization.Kind.INSTITUTE).count() == 1
        bureau = Organization.objects.get(region=the_city, kind=Organization.Kind.REGULATOR)
        assert bureau.name == f"{name}市场监督管理局"
    assert Region.objects.filter(level=Region.Level.COUNTY).count() == 20


def test_each_city_is_scored_against_its_own_plan_and_its_regulators_see_only_it(seeded):
    assert Plan.objects.get(code="yanan-2021").region.name == "延安市"
    assert Plan.objects.get(code="fuxin-2015").region.name == "阜新市"
    yanan, fuxin = (User.objects.get(username=f"{c}_city") for c in ("yanan", "fuxin"))
    assert set(plans_visible_to(yanan).values_list("code", flat=True)) == {"yanan-2021"}
    assert set(plans_visible_to(fuxin).values_list("code", flat=True)) == {"fuxin-2015"}


def test_a_city_regulator_sees_every_instrument_of_its_city_and_none_of_the_other(seeded):
    for key, prefix, other in (("yanan", "6106", "2109"), ("fuxin", "2109", "6106")):
        regulator = User.objects.get(username=f"{key}_city")
        visible = selectors.instruments_visible_to(regulator)
        assert visible.count() == Instrument.objects.filter(region__code__startswith=prefix).count() > 0
        assert not visible.filter(region__code__startswith=other).exists()


def test_owners_sit_in_counties_and_cover_every_kind_of_owner(seeded):
    owners = Organization.objects.filter(kind=Organization.Kind.OWNER)
    assert not owners.exclude(region__level=Region.Level.COUNTY).exists()
    expected = {
        Category.MARKET_FAIR,
        Category.SUPERMARKET,
        Category.PETROL_STATION,
        Category.HOSPITAL,
        Category.TOWNSHIP_CLINIC,
        Category.COMMUNITY_CLINIC,
        Category.GLASSES_SHOP,
        Category.TAXI_COMPANY,
        Category.FACTORY,
        Category.UTILITY,
        Category.SCHOOL,
    }
    assert set(owners.values_list("category", flat=True)) == expected
    assert owners.values("region").distinct().count() >= 5
    for key, one in CITIES.items():
        mine = owners.filter(region__code__startswith=one.code[:4])
        assert set(mine.values_list("category", flat=True)) == expected, key
    assert owners.filter(name="").count() == 0
    assert owners.values("name").distinct().count() == owners.count()


# What the regulations and campaigns expect each kind of owner to hold, stated independently of the generator:
# catalog codes (see jiliang/catalog/data/catalog-2020.csv) that most of a category's instruments must belong to.
CHARACTERISTIC = {
    Category.MARKET_FAIR: {"02", "03", "04", "47"},
    Category.PETROL_STATION: {"08", "09", "10", "11"},
    Category.HOSPITAL: {"01", "22", "23", "24", "28", "29", "30", "31", "32", "33", "34"},
    Category.GLASSES_SHOP: {"24", "25", "26", "27"},
    Category.TAXI_COMPANY: {"21"},
    Category.UTILITY: {"14", "15", "16", "17", "18", "19", "20"},
    Category.FACTORY: {"03", "05", "06", "38", "39", "42", "43", "44", None},
}


def test_instrument_kinds_follow_their_owners(seeded):
    rows = list(Instrument.objects.values_list("owner__category", "catalog_item__code"))
    by_category: dict[str, Counter] = {}
    for category, code in rows:
        by_category.setdefault(category, Counter())[code] += 1
    for category, codes in CHARACTERISTIC.items():
        held = by_category[category]
        share = sum(n for code, n in held.items() if code in codes) / sum(held.values())
        assert share >= 0.7, (category, held)
    # Nobody but a petrol station holds a fuel dispenser, nobody but a taxi company a taxi meter.
    assert {c for c in by_category if by_category[c]["08"]} == {Category.PETROL_STATION}
    assert {c for c in by_category if by_category[c]["21"]} == {Category.TAXI_COMPANY}
    # And every instrument is one its owner's profile allows.
    allowed = {}
    for profile in PROFILES.values():
        allowed.setdefault(profile.category, set()).update((KINDS[k].catalog, u) for k, u, _w in profile.mix)
    for category, code, usage in Instrument.objects.values_list("owner__category", "catalog_item__code", "usage"):
        assert (code, usage) in allowed[category]


def test_usages_are_the_catalog_rows_own_or_other_and_some_are_not_mandatory(seeded):
    rows = list(Instrument.objects.select_related("catalog_item"))
    for instrument in rows:
        if instrument.catalog_item is not None and instrument.usage != "other":
            assert instrument.usage in instrument.catalog_item.usage_list
    other = [i for i in rows if i.usage == "other"]
    assert other
    assert not any(i.mandatory for i in other)
    assert any(i.catalog_item is not None for i in other)  # a catalogued kind used outside trade, say
    assert any(i.catalog_item is None for i in rows)


def test_derived_fields_are_those_of_derive_and_region_is_the_owners(seeded):
    for instrument in Instrument.objects.select_related("catalog_item", "owner").with_last_verified_on():
        stored = (instrument.mandatory, instrument.due_on)
        derive(instrument, instrument.catalog_item)
        assert (instrument.mandatory, instrument.due_on) == stored
        assert instrument.region_id == instrument.owner.region_id


def test_city_has_valid_due_soon_overdue_and_never_verified_instruments(seeded):
    states = states_on(TODAY)
    for state in ("valid", "due_soon", "overdue", "never"):
        assert states[state] > 0, states
    assert states["valid"] > states["overdue"] + states["due_soon"] + states["never"]
    assert {k: v for k, v in seeded.due_states.items() if v} == dict(states)
    assert not Instrument.objects.filter(last_verification__performed_on__gt=TODAY).exists()
    assert not Instrument.objects.filter(registered_on__gt=TODAY).exists()


def test_due_tally_is_in_step_with_the_seeded_registry(seeded):
    assert tally.differences() == {}
    regulator = User.objects.get(username="yanan_city")
    # Both read today's date; the seed's own day does not matter here.
    from_tally = selectors.due_state_counts_by_region(regulator)
    counted = selectors.due_state_counts(selectors.instruments_visible_to(regulator), group_by="region")
    assert from_tally == counted
    states = states_on(timezone.localdate())
    in_city = Counter(
        i.due_state(today=timezone.localdate()) for i in Instrument.objects.filter(region__code__startswith="6106")
    )
    assert sum(row["overdue"] for row in from_tally) == in_city["overdue"] > 0
    assert states["overdue"] > in_city["overdue"]


def test_most_instruments_are_in_use_and_some_stopped_or_scrapped(db):
    build(n=2000)
    statuses = Counter(Instrument.objects.values_list("status", flat=True))
    assert statuses["in_use"] > 0.9 * 2000
    assert statuses["stopped"] > 0 and statuses["scrapped"] > 0


def test_each_citys_demo_market_has_overdue_and_due_soon_instruments(seeded):
    for key in CITIES:
        owner = User.objects.get(username=f"{key}_market")
        states = Counter(i.due_state(today=TODAY) for i in Instrument.objects.filter(owner=owner.organization))
        assert states["overdue"] > 0 and states["due_soon"] > 0, key


def test_demo_users_per_city_with_the_right_organizations(seeded):
    users = {u.username: u for u in User.objects.select_related("organization__region")}
    expected = {d.username(c) for c in CITIES.values() for d in city.DEMO_USERS} | {"admin"}
    assert set(users) == expected
    for one in CITIES.values():
        mine = {d.key: users[d.username(one)] for d in city.DEMO_USERS}
        for demo in city.DEMO_USERS:
            assert mine[demo.key].role == demo.role
            assert mine[demo.key].organization.region.code[:4] == one.code[:4], demo.key
        assert mine["city"].organization.name == one.bureau
        assert mine["city"].organization.region.level == Region.Level.CITY
        assert mine["institute"].organization.name == one.institute
        county = mine["county"].organization.region
        assert county.level == Region.Level.COUNTY
        assert mine["county_institute"].organization.kind == Organization.Kind.INSTITUTE
        assert mine["county_institute"].organization.region == county
        for owner_key, category in city.DEMO_OWNERS:
            owner = mine[owner_key].organization
            assert (owner.kind, owner.category, owner.region) == (Organization.Kind.OWNER, category, county), owner_key
            # Only the enterprise has a laboratory, so only it may declare capabilities.
            assert owner.has_lab == (owner_key == "enterprise"), owner_key
    admin = users["admin"]
    assert admin.role == Role.ADMIN and admin.is_staff and admin.is_superuser and admin.organization is None


def test_every_demo_owners_instruments_route_to_the_institutes_the_demo_prints(seeded):
    """The loop can be followed with the printed logins: whatever a demo owner asks to have verified goes to its
    city's institute or its county's, both of which have a printed clerk login."""
    for one in CITIES.values():
        printed = {
            User.objects.get(username=f"{one.login}_{key}").organization_id for key in ("institute", "county_institute")
        }
        routed = set()
        for key, _category in city.DEMO_OWNERS:
            owner = User.objects.get(username=f"{one.login}_{key}").organization
            for instrument in Instrument.objects.filter(owner=owner, mandatory=True, catalog_item__isnull=False):
                found = authorized_institutes(instrument.catalog_item_id, owner.region, TODAY)
                if found:
                    routed.add(found[0].pk)
        assert routed and routed <= printed, one.key


def test_instrument_indexes_are_rebuilt_as_migrated_after_the_bulk_load(db):
    def indexes() -> dict:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, Instrument._meta.db_table)
        return {name: (c["columns"], c["unique"]) for name, c in found.items() if c["index"] or c["unique"]}

    before = indexes()
    assert "instr_region_due_idx" in before and "instrument_owner_item_serial_uniq" in before
    build(n=200)
    assert indexes() == before


def test_seed_writes_one_audit_event_by_the_system(seeded):
    events = AuditEvent.objects.filter(action=city.AUDIT_ACTION)
    assert events.count() == 1
    event = events.get()
    assert event.actor is None and event.actor_repr == "system"
    assert event.changes["seed"] == 1 and event.changes["instruments"] == N
    assert event.changes["cities"] == {"yanan": 300, "fuxin": 200}
    assert event.changes["today"] == TODAY.isoformat()


def test_command_builds_the_city_and_reports_it(db):
    out = io.StringIO()
    call_command("seed_city", "--seed", "3", "--instruments", "300", "--today", "2026-03-16", stdout=out)
    assert Instrument.objects.count() == 300
    assert "300" in out.getvalue()


def test_command_builds_one_city_or_the_sizes_asked_for(db):
    call_command("seed_city", "--city", "fuxin", "--instruments", "120", "--today", "2026-03-16", "--no-history",
                 stdout=io.StringIO())  # fmt: skip
    assert set(Region.objects.filter(level=Region.Level.CITY).values_list("name", flat=True)) == {"阜新市"}
    assert Instrument.objects.count() == 120
    assert Plan.objects.get(code="yanan-2021").region is None


def test_command_builds_each_city_at_the_size_asked_for(db):
    call_command("seed_city", "--size", "yanan=80", "--size", "fuxin=50", "--today", "2026-03-16", "--no-history",
                 stdout=io.StringIO())  # fmt: skip
    assert Instrument.objects.filter(region__code__startswith="6106").count() == 80
    assert Instrument.objects.filter(region__code__startswith="2109").count() == 50


def test_command_refuses_a_size_of_an_unknown_city(db):
    with pytest.raises(CommandError):
        call_command("seed_city", "--city", "fuxin", "--size", "yanan=10", stdout=io.StringIO())


def test_command_refuses_a_non_empty_database_without_if_empty(seeded):
    with pytest.raises(CommandError):
        call_command("seed_city", "--seed", "2", "--instruments", "100", stdout=io.StringIO())
    assert Instrument.objects.count() == N


def test_if_empty_leaves_a_non_empty_database_alone(seeded):
    before = city.city_digest()
    out = io.StringIO()
    call_command("seed_city", "--seed", "2", "--instruments", "100", "--if-empty", stdout=out)
    assert city.city_digest() == before
    assert AuditEvent.objects.filter(action=city.AUDIT_ACTION).count() == 1
    assert out.getvalue().strip()


def test_if_empty_also_respects_organizations_without_instruments(db):
    Region.objects.create(code="210900", name="别的市", level=Region.Level.CITY)
    Organization.objects.create(
        name="已有单位",
        kind=Organization.Kind.OWNER,
        credit_code=uscc.make_code("91210900", "MA0000001"),
        region=Region.objects.get(code="210900"),
    )
    call_command("seed_city", "--instruments", "50", "--if-empty", stdout=io.StringIO())
    assert Organization.objects.count() == 1
    assert not Instrument.objects.exists()


def test_command_rejects_a_bad_date(db):
    with pytest.raises(CommandError):
        call_command("seed_city", "--today", "16/03/2026", stdout=io.StringIO())


def printed_logins(out: io.StringIO) -> list[list[str]]:
    return [line.split("  ") for line in out.getvalue().splitlines() if line.strip() and not line.startswith("#")]


def test_demo_logins_prints_per_city_who_is_who_and_each_login_authenticates(seeded):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert [line for line in out.getvalue().splitlines() if line.startswith("#")] == ["# 延安市", "# 阜新市"]
    lines = printed_logins(out)
    demos = [(c, d) for c in CITIES.values() for d in city.DEMO_USERS] + [(None, city.DEMO_ADMIN)]
    assert len(lines) == len(demos)
    for (label, username, password, organization, hint), (one, demo) in zip(lines, demos, strict=True):
        assert label == str(demo.label)
        assert username == demo.username(one)
        assert hint == str(demo.hint)
        # The login throttle's backend needs the request (it counts failures by address).
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)
        assert user is not None and user.role == demo.role
        assert organization == (user.organization.name if user.organization else "—")


def test_a_demo_username_taken_before_the_seed_is_left_alone_and_not_printed(db):
    mine = User.objects.create_user(username="admin", password="my-own-Secret-42", role=Role.ADMIN)
    result = build()
    assert result.skipped_users == ["admin"]
    mine.refresh_from_db()
    assert mine.check_password("my-own-Secret-42") and not mine.is_superuser
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    usernames = [line[1] for line in printed_logins(out)]
    assert usernames == [d.username(c) for c in CITIES.values() for d in city.DEMO_USERS]


def test_demo_logins_leaves_out_a_demo_user_whose_password_was_changed(seeded):
    user = User.objects.get(username="yanan_institute")
    user.set_password("changed-Password-77")
    user.save()
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    usernames = [line[1] for line in printed_logins(out)]
    assert "yanan_institute" not in usernames and "fuxin_institute" in usernames


def test_build_reports_progress_in_batches(db, monkeypatch):
    monkeypatch.setattr(city, "PROGRESS_EVERY", 100)
    lines: list[str] = []
    city.build_city(seed=1, instruments=450, today=TODAY, progress=lines.append, batch_size=100)
    assert len([line for line in lines if "/ 450" in line]) == 4


def test_demo_logins_without_a_seeded_city_says_so(db):
    with pytest.raises(CommandError):
        call_command("demo_logins", stdout=io.StringIO())


def test_a_seeded_last_verification_is_a_declared_record_of_the_same_instrument(seeded):
    verified = Instrument.objects.filter(last_verification__isnull=False).select_related("last_verification")
    assert verified.exists()
    assert VerificationRecord.objects.count() == verified.count()
    for instrument in verified:
        record = instrument.last_verification
        assert record.instrument_id == instrument.pk
        assert (record.source, record.kind, record.conclusion) == ("declared", "verification", "pass")
        assert record.next_due_on == instrument.due_on
    # The database hands out the next ids after the seed's own (PostgreSQL's sequences were moved on).
    extra = VerificationRecord.objects.create(
        instrument=verified[0], source="declared", conclusion="pass", performed_on=TODAY
    )
    assert extra.pk > max(VerificationRecord.objects.exclude(pk=extra.pk).values_list("pk", flat=True))
