"""The owner's path to "申请检定": from an instrument's page and from the home's overdue list, the form opens with the
instrument(s) ticked through ``?instrument_ids=…``; only the owner's own instruments that may be verified are ticked,
anyone else's id is ignored; the form stays the owner's (other roles refused)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jiliang.verification.models import ServiceRequest

NEW = reverse("requests:new")


def ticked(html: str) -> set[int]:
    """The instruments whose checkbox is checked on the form."""
    return {
        int(pk)
        for pk in re.findall(
            r'<input type="checkbox" name="instrument_ids" value="(\d+)" form="request-form"[^>]* checked', html
        )
    }


def listed(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="instrument_ids" value="(\d+)" form="request-form"', html)}


@pytest.fixture
def owner_a(client, city):
    client.force_login(city.owner_a_user)
    return client


def test_own_instrument_is_preselected(owner_a, window):
    html = owner_a.get(NEW, {"instrument_ids": window.a1.pk}).content.decode()
    assert ticked(html) == {window.a1.pk}
    # The others stay on the list, unticked.
    assert {window.a2.pk, window.a_valid.pk} <= listed(html)


def test_several_chosen_instruments_are_preselected(owner_a, window):
    html = owner_a.get(NEW, {"instrument_ids": [window.a1.pk, window.a2.pk]}).content.decode()
    assert ticked(html) == {window.a1.pk, window.a2.pk}


def test_another_owners_instrument_is_ignored(owner_a, window):
    response = owner_a.get(NEW, {"instrument_ids": [window.b1.pk, window.a1.pk]})
    html = response.content.decode()
    assert response.status_code == 200
    assert ticked(html) == {window.a1.pk}
    assert window.b1.pk not in listed(html) and "B-1" not in html


def test_only_another_owners_instrument_ticks_nothing(owner_a, window):
    html = owner_a.get(NEW, {"instrument_ids": window.b1.pk}).content.decode()
    assert ticked(html) == set() and "B-1" not in html


@pytest.mark.parametrize("value", ["abc", "-3", "0", str(2**64), "99999999"])
def test_a_bad_or_unknown_id_is_ignored(owner_a, window, value):
    response = owner_a.get(NEW, {"instrument_ids": value})
    assert response.status_code == 200 and ticked(response.content.decode()) == set()


def test_the_preselected_instrument_is_submitted(owner_a, window):
    owner_a.get(NEW, {"instrument_ids": window.a1.pk})
    response = owner_a.post(
        NEW, {"mode": "pick", "instrument_ids": [window.a1.pk], "service": "verification", "place": "send_in"}
    )
    created = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert [item.instrument_id for item in created.items.all()] == [window.a1.pk]


@pytest.mark.parametrize("persona", ["owner_b_user", "institute_user", "county_regulator_a", "city_regulator", "admin"])
def test_other_roles_and_owners_do_not_get_someone_elses_instrument(client, city, window, persona):
    user = getattr(city, persona)
    client.force_login(user)
    response = client.get(NEW, {"instrument_ids": window.a1.pk})
    if persona == "owner_b_user":
        # Another owner gets its own form, without owner A's instrument.
        assert response.status_code == 200
        assert window.a1.pk not in listed(response.content.decode())
    else:
        assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, window):
    response = client.get(NEW, {"instrument_ids": window.a1.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_instrument_page_offers_apply_to_its_owner_only(client, city, window):
    link = f'href="{NEW}?instrument_ids={window.a1.pk}"'
    client.force_login(city.owner_a_user)
    assert link in client.get(reverse("instruments:detail", args=[window.a1.pk])).content.decode()
    client.force_login(city.county_regulator_a)
    page = client.get(reverse("instruments:detail", args=[window.a1.pk]))
    assert page.status_code == 200 and link not in page.content.decode()


def test_owner_home_overdue_list_applies_for_one_or_the_chosen(client, city, window):
    client.force_login(city.owner_a_user)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{NEW}?instrument_ids={window.a1.pk}"' in html
    # The list's checkboxes belong to a GET form to the request form, ticked by default.
    assert f'<form id="apply-overdue" class="inline" method="get" action="{NEW}">' in html
    assert re.search(rf'name="instrument_ids" value="{window.a1.pk}" form="apply-overdue" checked', html)
    assert "B-1" not in html
