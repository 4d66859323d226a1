"""Scopes by role and region, and the organization's credit-code check."""

import pytest
from django.core.exceptions import ValidationError

from jiliang.core.models import Organization
from jiliang.core.selectors import counties_visible_to, organizations_visible_to, scope_of

from ..factories import OrganizationFactory, credit_code


def test_city_regulator_scope_is_the_city_and_every_county(city):
    assert scope_of(city.city_regulator).region_ids == {city.city.pk, city.county_a.pk, city.county_b.pk}


def test_county_regulator_scope_is_its_county_only(city):
    assert scope_of(city.county_regulator_a).region_ids == {city.county_a.pk}


def test_anonymous_and_inactive_users_see_nothing(city):
    from django.contrib.auth.models import AnonymousUser

    assert scope_of(AnonymousUser()).region_ids == frozenset()
    city.owner_a_user.is_active = False
    assert scope_of(city.owner_a_user).role == ""


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("city_regulator", {"甲县", "乙县"}),
        ("county_regulator_a", {"甲县"}),
        ("county_regulator_b", {"乙县"}),
        ("owner_a", {"甲县"}),
        ("anonymous", set()),
    ],
)
def test_counties_visible(city, persona, expected):
    assert set(counties_visible_to(city.personas[persona]).values_list("name", flat=True)) == expected


def test_county_regulator_sees_organizations_of_its_county_only(city):
    names = set(organizations_visible_to(city.county_regulator_a).values_list("name", flat=True))
    assert names == {"甲县市场监督管理局", "甲县农贸市场"}


def test_owner_sees_only_itself_among_organizations(city):
    assert list(organizations_visible_to(city.owner_b_user)) == [city.owner_b]


def test_an_invalid_credit_code_is_refused_with_the_reason(city):
    org = OrganizationFactory.build(region=city.county_a, credit_code="91350100M000100Y44")
    with pytest.raises(ValidationError) as excinfo:
        org.full_clean()
    assert "校验位错误：应为 3，实为 4" in str(excinfo.value)


def test_credit_codes_are_unique(city):
    code = credit_code()
    OrganizationFactory(region=city.county_a, credit_code=code)
    with pytest.raises(ValidationError):
        OrganizationFactory.build(region=city.county_a, credit_code=code, kind=Organization.Kind.OWNER).full_clean()
