"""Who sees which staff, the "expiring within N days" filter at its edges, and ``verifier_qualified``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jiliang.catalog.models import Procedure
from jiliang.core.errors import NotFoundOrForbidden
from jiliang.people import selectors
from jiliang.people.models import Qualification
from tests.factories import catalog_item

from .conftest import TODAY, make_qualification

pytestmark = pytest.mark.django_db


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("city_regulator", {"张市", "李甲", "王乙"}),
        ("county_regulator_a", {"李甲"}),
        ("county_regulator_b", {"王乙"}),
        ("institute", {"张市"}),
        ("owner_a", set()),
        ("owner_b", set()),
        ("anonymous", set()),
    ],
)
def test_each_persona_sees_exactly_its_scope_of_staff(city, staff, persona, expected):
    assert names(selectors.persons_visible_to(city.personas[persona])) == expected


def test_admin_sees_everyone(city, staff):
    assert names(selectors.persons_visible_to(city.admin)) == {"张市", "李甲", "王乙"}


def test_county_regulator_b_gets_not_found_for_county_a_staff(city, staff):
    with pytest.raises(NotFoundOrForbidden):
        selectors.person_get(city.county_regulator_b, staff.person_a.pk)
    with pytest.raises(NotFoundOrForbidden):
        selectors.person_get(city.owner_a_user, staff.person_a.pk)
    assert selectors.person_get(city.county_regulator_a, staff.person_a.pk) == staff.person_a


def test_personal_data_goes_to_own_institute_regulators_in_scope_and_admin_only(city, staff):
    person = staff.person_a
    assert selectors.may_see_personal(staff.institute_a_user, person)
    assert selectors.may_see_personal(city.county_regulator_a, person)
    assert selectors.may_see_personal(city.city_regulator, person)
    assert selectors.may_see_personal(city.admin, person)
    assert not selectors.may_see_personal(city.county_regulator_b, person)
    assert not selectors.may_see_personal(staff.institute_b_user, person)
    assert not selectors.may_see_personal(city.institute_user, person)
    assert not selectors.may_see_personal(city.owner_a_user, person)


@pytest.fixture
def edges(staff):
    """Qualifications ending yesterday, today, in 90 days and in 91 days."""
    person = staff.person_city
    return {
        days: make_qualification(person, f"Q{days}", valid_days=days, kind=Qualification.Kind.STANDARD_ASSESSOR)
        for days in (-1, 0, 90, 91)
    }


def test_expiring_within_90_days_includes_today_and_day_90_but_not_yesterday_or_day_91(city, edges):
    found = set(selectors.qualification_list(city.institute_user).values_list("number", flat=True))
    assert found == {"Q0", "Q90"}


def test_expiring_within_zero_days_is_only_what_ends_today(city, edges):
    found = set(selectors.qualification_list(city.institute_user, expiring_within=0).values_list("number", flat=True))
    assert found == {"Q0"}


def test_qualification_list_without_a_window_lists_every_one_soonest_first(city, edges):
    numbers = list(selectors.qualification_list(city.admin, expiring_within=None).values_list("number", flat=True))
    assert numbers == ["Q-1", "Q0", "Q90", "Q91"]


def test_other_institutes_and_owners_see_no_expiring_qualifications_of_the_city_institute(city, staff, edges):
    assert not selectors.qualification_list(staff.institute_a_user).exists()
    assert not selectors.qualification_list(city.owner_a_user).exists()
    assert not selectors.qualification_list(city.county_regulator_a).exists()
    assert selectors.qualification_list(city.city_regulator).count() == 2


def test_person_filter_expiring_soon_and_by_kind_and_title(city, staff):
    make_qualification(staff.person_a, "A-90", valid_days=90)
    make_qualification(staff.person_b, "B-91", valid_days=91)
    user = city.city_regulator
    assert names(selectors.person_list(user, selectors.PersonFilters(expiring_within=90))) == {"李甲"}
    assert names(selectors.person_list(user, selectors.PersonFilters(expiring_within=91))) == {"李甲", "王乙"}
    assert names(selectors.person_list(user, selectors.PersonFilters(kind="verifier"))) == {"李甲", "王乙"}
    assert names(selectors.person_list(user, selectors.PersonFilters(kind="registered_metrologist"))) == set()
    staff.person_b.title = "senior"
    staff.person_b.save()
    assert names(selectors.person_list(user, selectors.PersonFilters(title="senior"))) == {"王乙"}
    assert names(selectors.person_list(user, selectors.PersonFilters(organization=staff.institute_a.pk))) == {"李甲"}


# ---- verifier_qualified -------------------------------------------------------------------------------------


@pytest.fixture
def verifier(staff):
    """A verifier for catalog row 02, valid from 100 days ago through 100 days from now."""
    q = make_qualification(staff.person_city, "V-02", valid_days=100)
    q.issued_on = TODAY - timedelta(days=100)
    q.save()
    return q


def test_verifier_is_qualified_for_the_item_on_the_first_and_last_day_of_validity(staff, verifier):
    item = catalog_item("02")
    person = staff.person_city
    assert selectors.verifier_qualified(person, item, verifier.issued_on)
    assert selectors.verifier_qualified(person, item, verifier.valid_until)
    assert not selectors.verifier_qualified(person, item, verifier.issued_on - timedelta(days=1))
    assert not selectors.verifier_qualified(person, item, verifier.valid_until + timedelta(days=1))


def test_verifier_is_not_qualified_for_another_item(staff, verifier):
    assert not selectors.verifier_qualified(staff.person_city, catalog_item("08"), TODAY)


def test_a_procedure_in_scope_covers_the_catalog_item_that_names_it(staff):
    item = catalog_item("08")
    assert item.procedure, "catalog row 08 names its regulation"
    q = make_qualification(staff.person_a, "V-P", valid_days=10, item=None)
    q.procedures.add(Procedure.objects.get(code=item.procedure.strip()))
    assert selectors.verifier_qualified(staff.person_a, item, TODAY)
    other = catalog_item("02")
    assert other.procedure.strip() != item.procedure.strip()
    assert not selectors.verifier_qualified(staff.person_a, other, TODAY)


def test_other_kinds_of_qualification_do_not_make_a_verifier(staff):
    q = make_qualification(staff.person_a, "RM", valid_days=10, kind=Qualification.Kind.REGISTERED_METROLOGIST)
    q.catalog_items.add(catalog_item("02"))  # even with a scope, a metrologist's certificate is not a verifier's
    assert not selectors.verifier_qualified(staff.person_a, catalog_item("02"), TODAY)


def test_a_person_who_has_left_is_qualified_through_the_last_working_day_only(staff, verifier):
    person = staff.person_city
    person.left_on = TODAY
    person.save()
    assert selectors.verifier_qualified(person, catalog_item("02"), TODAY)
    assert not selectors.verifier_qualified(person, catalog_item("02"), TODAY + timedelta(days=1))
