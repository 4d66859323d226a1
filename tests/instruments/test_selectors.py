"""Every persona sees exactly its scope of the registry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.instruments.filters import parse_filters
from jiliang.instruments.selectors import due_state_counts, instrument_get, instrument_list, instruments_visible_to

from ..factories import InstrumentFactory, catalog_item

EXPECTED = {
    "city_regulator": {"A-0001", "B-0001"},
    "county_regulator_a": {"A-0001"},
    "county_regulator_b": {"B-0001"},
    "institute": set(),
    "owner_a": {"A-0001"},
    "owner_b": {"B-0001"},
    "anonymous": set(),
}


@pytest.mark.parametrize("persona", EXPECTED)
def test_each_persona_sees_exactly_its_scope(city, instrument_a, instrument_b, persona):
    user = city.personas[persona]
    seen = set(instruments_visible_to(user).values_list("serial_number", flat=True))
    assert seen == EXPECTED[persona]


def test_owner_b_gets_not_found_for_owner_as_instrument(city, instrument_a):
    with pytest.raises(NotFoundOrForbidden):
        instrument_get(city.owner_b_user, instrument_a.pk)


def test_out_of_scope_and_missing_raise_the_same_error(city, instrument_a):
    with pytest.raises(NotFoundOrForbidden) as out_of_scope:
        instrument_get(city.county_regulator_b, instrument_a.pk)
    with pytest.raises(NotFoundOrForbidden) as missing:
        instrument_get(city.county_regulator_b, 10**9)
    assert str(out_of_scope.value) == str(missing.value)


def test_admin_sees_everything(city, instrument_a, instrument_b):
    assert instruments_visible_to(city.admin).count() == 2


def test_filters_combine_within_scope(city, instrument_a, instrument_b):
    today = timezone.localdate()
    overdue = InstrumentFactory(owner=city.owner_a, serial_number="A-OLD", last_verified_on=today - timedelta(days=400))
    never = InstrumentFactory(owner=city.owner_a, serial_number="A-NEW", last_verified_on=None)
    soon = InstrumentFactory(owner=city.owner_a, serial_number="A-SOON", last_verified_on=today - timedelta(days=350))
    user = city.city_regulator

    def serials(**params):
        return set(instrument_list(user, parse_filters(params)).values_list("serial_number", flat=True))

    assert serials(due_state="overdue") == {overdue.serial_number}
    assert serials(due_state="never") == {never.serial_number}
    assert serials(due_state="due_soon") == {soon.serial_number}
    assert serials(county=str(city.county_b.pk)) == {"B-0001"}
    assert serials(catalog_item=str(catalog_item("08").pk)) == {"B-0001"}
    assert serials(q="A-") == {"A-0001", "A-OLD", "A-NEW", "A-SOON"}
    assert serials(q="乙县") == {"B-0001"}
    # A county regulator filtering on another county gets nothing rather than that county.
    assert not instrument_list(city.county_regulator_a, parse_filters({"county": str(city.county_b.pk)})).exists()


def test_bad_filter_values_are_reported_not_raised(city):
    filters = parse_filters({"county": "abc", "due_state": "whenever", "usage": "x"})
    assert len(filters.errors) == 3
    assert filters.county is None and filters.due_state == "" and filters.usage == ""


def test_due_state_counts_group_by_region(city, instrument_a, instrument_b):
    today = timezone.localdate()
    InstrumentFactory(owner=city.owner_a, serial_number="A-OLD", last_verified_on=today - timedelta(days=400))
    rows = {r["region"]: r for r in due_state_counts(instruments_visible_to(city.city_regulator), group_by="region")}
    assert rows[city.county_a.pk]["overdue"] == 1
    assert rows[city.county_b.pk]["overdue"] == 0
    assert sum(r["valid"] + r["due_soon"] + r["overdue"] + r["never"] for r in rows.values()) == 3
