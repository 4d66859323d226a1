"""The traceability chain page, and who may open it (reverse traceability: tests/verification/test_recall_views.py)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from jiliang.standards.models import EquipmentCertificate


def chain_url(standard):
    return reverse("trace:chain", args=[standard.pk])


def test_a_regulator_sees_the_chain_up_to_the_si_with_its_links_in_a_table(client, city, lab):
    client.force_login(city.city_regulator)
    response = client.get(chain_url(lab.county_standard))
    assert response.status_code == 200
    html = response.content.decode()
    for number in ("JD-2026-101", "ZL-2026-001", "ZL-2026-002"):
        assert number in html
    data = json.loads(json.dumps(response.context["chart"]))  # what json_script sends
    kinds = {n["kind"] for n in data["nodes"]}
    assert kinds == {"standard", "equipment", "authority", "si"}
    assert {n["name"] for n in data["nodes"] if n["kind"] == "authority"} == {
        "辽宁省计量科学研究院",
        "中国计量科学研究院",
    }
    assert 'id="trace-chain-data"' in html
    assert "js/trace.js" in html


def test_the_chain_page_marks_a_broken_link_in_red(client, city, lab):
    EquipmentCertificate.objects.filter(pk=lab.certificate_1.pk).update(valid_until=lab.today - timedelta(days=1))
    client.force_login(city.city_regulator)
    response = client.get(chain_url(lab.county_standard))
    html = response.content.decode()
    assert 'data-testid="broken-count"' in html
    assert 'class="trace-broken" data-state="expired"' in html
    broken = [link for link in response.context["chart"]["links"] if link["broken"]]
    assert [(link["number"], link["color"]) for link in broken] == [("ZL-2026-001", "#d64541")]


def test_the_chain_can_be_looked_at_on_another_day(client, city, lab):
    client.force_login(city.institute_user)
    later = lab.today + timedelta(days=400)  # every certificate has ended by then
    response = client.get(chain_url(lab.city_standard), {"day": later.isoformat()})
    assert response.status_code == 200
    assert response.context["day"] == later
    assert response.context["broken_count"] == 2


@pytest.mark.parametrize("name", ["chain"])
def test_anonymous_is_sent_to_login(client, lab, name):
    response = client.get(reverse(f"trace:{name}", args=[lab.county_standard.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["chain"])
@pytest.mark.parametrize("persona", ["owner_a", "county_regulator_b"])
def test_outsiders_get_404_on_a_county_a_standard(client, city, lab, name, persona):
    client.force_login(city.personas[persona])
    response = client.get(reverse(f"trace:{name}", args=[lab.county_standard.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["chain"])
def test_another_institute_gets_404_on_a_standard_it_does_not_hold(client, city, lab, name):
    client.force_login(lab.county_institute_user)
    assert client.get(reverse(f"trace:{name}", args=[lab.city_standard.pk])).status_code == 404
    assert client.get(reverse(f"trace:{name}", args=[lab.county_standard.pk])).status_code == 200


@pytest.mark.parametrize("name", ["chain"])
def test_a_missing_standard_answers_404_like_an_out_of_scope_one(client, city, lab, name):
    client.force_login(city.city_regulator)
    assert client.get(reverse(f"trace:{name}", args=[999_999])).status_code == 404


def test_the_county_regulator_of_the_standard_sees_it_and_links_only_to_what_it_may_open(client, city, lab):
    client.force_login(city.county_regulator_a)
    response = client.get(chain_url(lab.county_standard))
    assert response.status_code == 200
    city_node = next(n for n in response.context["chart"]["nodes"] if n["id"] == f"standard:{lab.city_standard.pk}")
    assert city_node["url"] == ""  # the city standard is outside county A's scope
    client.force_login(city.city_regulator)
    response = client.get(chain_url(lab.county_standard))
    city_node = next(n for n in response.context["chart"]["nodes"] if n["id"] == f"standard:{lab.city_standard.pk}")
    assert city_node["url"] == chain_url(lab.city_standard)
