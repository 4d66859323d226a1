"""The catalog's data-confidence flags (未核实, 来源冲突, the row's note) are shown only to those who can correct
the catalog — the platform's admin and staff allowed to change catalog rows — never to owners, regulators or
institutes, on any page that shows an instrument's interval or due date (issue 14, item 4)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import RequestFactory
from django.urls import reverse

from jiliang.catalog.context_processors import data_confidence
from jiliang.catalog.selectors import confidence_visible_to
from jiliang.core.models import Role
from jiliang.instruments.forms import InstrumentForm
from tests.factories import UserFactory, catalog_item

pytestmark = pytest.mark.django_db

FLAGS = ("未核实", "来源冲突", "conf-unconfirmed", "conf-conflict", "use 6 until confirmed")
NOT_ADMINS = ("city_regulator", "county_regulator_b", "institute_user", "owner_b_user")


def reviewer(city, *, may_change: bool):
    """A staff member of the city bureau; ``may_change``: allowed to correct catalog rows in the admin."""
    user = UserFactory(username=f"reviewer{int(may_change)}", role=Role.REGULATOR, organization=city.city_bureau)
    user.is_staff = True
    user.save()
    if may_change:
        user.user_permissions.add(Permission.objects.get(codename="change_catalogitem"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached per object


def pages(instrument) -> tuple[list[tuple[str, dict]], dict]:
    """The pages that show an instrument's interval or due date, and the query of the form's preview."""
    dispenser = catalog_item("08")  # 燃油加油机: its interval's sources conflict (6 or 12 months)
    return [
        (reverse("instruments:list"), {}),
        (reverse("instruments:detail", args=[instrument.pk]), {}),
        (reverse("instruments:create"), {}),
        (reverse("instruments:edit", args=[instrument.pk]), {}),
    ], {"helper": "preview", "catalog_item": dispenser.pk, "usage": "trade", "last_verified_on": "2026-04-01"}


def shown(client, user, instrument) -> str:
    client.force_login(user)
    urls, preview = pages(instrument)
    bodies = []
    for url, query in urls:
        response = client.get(url, query)
        if response.status_code == 200:
            bodies.append(response.content.decode())
    response = client.get(reverse("instruments:create"), preview, headers={"HX-Request": "true"})
    if response.status_code == 200:
        bodies.append(response.content.decode())
    return "\n".join(bodies)


def test_only_the_admin_and_catalog_reviewers_see_the_flags(city):
    assert confidence_visible_to(city.admin)
    assert confidence_visible_to(reviewer(city, may_change=True))
    assert not confidence_visible_to(reviewer(city, may_change=False))
    for persona in (*NOT_ADMINS, "county_regulator_a", "owner_a_user"):
        assert not confidence_visible_to(getattr(city, persona)), persona
    assert not confidence_visible_to(AnonymousUser())
    assert not confidence_visible_to(None)
    inactive = city.admin
    inactive.is_active = False
    assert not confidence_visible_to(inactive)


def test_every_template_gets_the_flag_and_a_request_without_a_user_gets_false(city):
    request = RequestFactory().get("/")
    assert data_confidence(request) == {"show_confidence": False}
    request.user = city.admin
    assert data_confidence(request) == {"show_confidence": True}


@pytest.mark.parametrize("persona", NOT_ADMINS)
def test_owners_regulators_and_institutes_see_no_flag_on_any_instrument_page(client, city, instrument_b, persona):
    body = shown(client, getattr(city, persona), instrument_b)
    assert "燃油加油机" in body or persona == "institute_user"  # the pages were seen (an institute sees no register)
    for flag in FLAGS:
        assert flag not in body, (persona, flag)


def test_the_admin_sees_the_flags_beside_the_due_date_the_interval_and_the_catalog_options(client, city, instrument_b):
    body = shown(client, city.admin, instrument_b)
    for flag in ("来源冲突", "conf-mark conf-conflict", "badge plain conf-conflict", "use 6 until confirmed"):
        assert flag in body, flag


def test_a_catalog_reviewer_sees_them_and_a_staff_member_without_the_right_does_not(client, city, instrument_b):
    assert "来源冲突" in shown(client, reviewer(city, may_change=True), instrument_b)
    # A regulator's list of the city's instruments, without the right to correct the catalog: no flag.
    body = shown(client, reviewer(city, may_change=False), instrument_b)
    assert "燃油加油机" in body and "来源冲突" not in body


def test_the_catalog_options_of_the_instrument_form_carry_the_flag_for_the_admin_only(city):
    dispenser = catalog_item("08")

    def label(user) -> str:
        field = InstrumentForm(user=user, with_owner=False).fields["catalog_item"]
        return dict((str(value), text) for value, text in field.choices)[str(dispenser.pk)]

    assert label(city.owner_b_user) == "08 燃油加油机（检定周期 6 个月）"
    assert label(city.city_regulator) == "08 燃油加油机（检定周期 6 个月）"
    assert label(city.admin) == "08 燃油加油机（检定周期 6 个月 · 来源冲突）"
