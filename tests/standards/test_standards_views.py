"""The standards and authorization pages: what each persona sees, what outsiders get, what the forms save."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from jiliang.core.models import AuditEvent
from jiliang.standards.models import Authorization, EquipmentCertificate, Standard, StandardEquipment
from tests.factories import catalog_item


def body(response) -> str:
    return response.content.decode()


def page_urls(lab):
    return {
        "list": reverse("standards:list"),
        "detail": reverse("standards:detail", args=[lab.city_standard.pk]),
        "edit": reverse("standards:edit", args=[lab.city_standard.pk]),
        "create": reverse("standards:create"),
        "equipment_add": reverse("standards:equipment_add", args=[lab.city_standard.pk]),
        "certificate_add": reverse("standards:certificate_add", args=[lab.equipment_1.pk]),
        "authorizations": reverse("standards:authorizations"),
        "authorization_grant": reverse("standards:authorization_grant"),
    }


@pytest.mark.parametrize(
    "name", ["list", "detail", "edit", "create", "equipment_add", "certificate_add", "authorizations"]
)
def test_anonymous_visitors_are_sent_to_login_from_every_page(client, lab, name):
    response = client.get(page_urls(lab)[name])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "name",
    ["list", "detail", "edit", "create", "equipment_add", "certificate_add", "authorizations", "authorization_grant"],
)
def test_an_owner_gets_404_on_every_standards_page(client, city, lab, name):
    client.force_login(city.owner_a_user)
    assert client.get(page_urls(lab)[name]).status_code == 404


def test_the_list_shows_each_persona_only_the_standards_in_its_scope(client, city, lab):
    expected = {
        city.city_regulator: {"CS-001", "KS-001"},
        city.county_regulator_a: {"KS-001"},
        city.county_regulator_b: set(),
        city.institute_user: {"CS-001"},
        lab.county_institute_user: {"KS-001"},
        city.admin: {"CS-001", "KS-001"},
    }
    for user, codes in expected.items():
        client.force_login(user)
        text = body(client.get(reverse("standards:list")))
        assert {code for code in ("CS-001", "KS-001") if code in text} == codes, user.username


def test_a_county_regulator_sees_only_its_countys_institutes_in_the_holder_filter(client, city, lab):
    client.force_login(city.county_regulator_a)
    text = body(client.get(reverse("standards:list")))
    assert "甲县计量检定所" in text
    assert "市计量测试所" not in text


@pytest.mark.parametrize("persona", ["county_regulator_a", "county_regulator_b", "county_institute"])
def test_outsiders_get_404_on_the_city_standards_detail_and_forms(client, city, lab, persona):
    user = lab.county_institute_user if persona == "county_institute" else city.personas[persona]
    client.force_login(user)
    urls = page_urls(lab)
    for name in ("detail", "edit", "equipment_add", "certificate_add"):
        assert client.get(urls[name]).status_code == 404, name
    response = client.post(urls["edit"], {"name": "改名"})
    assert response.status_code == 404
    status_url = reverse("standards:status", args=[lab.city_standard.pk])
    assert client.post(status_url, {"status": "suspended"}).status_code == 404
    lab.city_standard.refresh_from_db()
    assert (lab.city_standard.name, lab.city_standard.status) == ("电子天平检定装置", "active")


def test_a_regulator_reads_a_standard_in_its_region_but_has_no_forms(client, city, lab):
    client.force_login(city.county_regulator_a)
    response = client.get(reverse("standards:detail", args=[lab.county_standard.pk]))
    assert response.status_code == 200
    assert reverse("standards:edit", args=[lab.county_standard.pk]) not in body(response)
    assert client.get(reverse("standards:edit", args=[lab.county_standard.pk])).status_code == 404
    assert client.get(reverse("standards:create")).status_code == 404


def test_the_detail_shows_every_field_the_equipment_the_verdict_and_the_chain_link(client, city, lab):
    client.force_login(city.institute_user)
    text = body(client.get(reverse("standards:detail", args=[lab.city_standard.pk])))
    standard = lab.city_standard
    for value in (
        standard.name,
        standard.code,
        standard.measurand,
        standard.measuring_range,
        standard.uncertainty,
        standard.certificate_number,
        standard.certificate_valid_until.isoformat(),
        "02 ",
        "W-001",
        "W-002",
        "ZL-2026-001",
        "辽宁省计量科学研究院",
        reverse("trace:chain", args=[standard.pk]),
    ):
        assert value in text, value
    assert 'data-testid="verdict">有效<' in text


def test_the_detail_explains_why_a_standard_is_invalid_today(client, city, lab):
    EquipmentCertificate.objects.filter(pk=lab.certificate_2.pk).update(valid_until=lab.today - timedelta(days=1))
    client.force_login(city.institute_user)
    text = body(client.get(reverse("standards:detail", args=[lab.city_standard.pk])))
    assert 'data-testid="verdict">无效<' in text
    assert "标准设备“E2等级砝码组 W-002”没有有效的溯源证书" in text
    assert "已过期" in text


def test_the_list_filters_by_validity_today_and_reassessment(client, city, lab):
    Standard.objects.filter(pk=lab.county_standard.pk).update(certificate_valid_until=lab.today + timedelta(days=30))
    EquipmentCertificate.objects.filter(pk=lab.certificate_1.pk).update(valid_until=lab.today - timedelta(days=1))
    client.force_login(city.city_regulator)
    url = reverse("standards:list")
    assert "KS-001" in body(client.get(url, {"valid": "1"}))
    assert "CS-001" not in body(client.get(url, {"valid": "1"}))
    assert "CS-001" in body(client.get(url, {"valid": "0"}))
    due = body(client.get(url, {"reassessment": "1"}))
    assert "KS-001" in due and "CS-001" not in due
    county_only = body(client.get(url, {"level": "county"}))
    assert "KS-001" in county_only and "CS-001" not in county_only
    highest = body(client.get(url, {"highest": "1"}))
    assert "CS-001" in highest and "KS-001" not in highest
    holder = body(client.get(url, {"holder": lab.county_institute.pk}))
    assert "KS-001" in holder and "CS-001" not in holder


def test_a_bad_validity_date_is_reported_and_today_is_used(client, city, lab):
    client.force_login(city.city_regulator)
    response = client.get(reverse("standards:list"), {"valid_on": "2026-02-30"})
    assert response.status_code == 200
    assert "日期“2026-02-30”无效，已按今天判断" in body(response)


def standard_post(today, **overrides):
    data = {
        "name": "压力表检定装置",
        "code": "PS-9",
        "measurand": "压力",
        "measuring_range": "(0~60) MPa",
        "uncertainty": "0.05级",
        "level": "city",
        "is_public": "on",
        "certificate_number": "[2026]P-9",
        "certificate_issued_on": today.isoformat(),
        "certificate_valid_until": (today + timedelta(days=1460)).isoformat(),
        "catalog_items": [catalog_item("02").pk],
    }
    data.update(overrides)
    return data


def test_an_institute_creates_edits_and_retires_a_standard_through_the_forms(client, city, lab):
    client.force_login(city.institute_user)
    response = client.post(reverse("standards:create"), standard_post(lab.today))
    standard = Standard.objects.get(code="PS-9")
    assert response.status_code == 302 and response.url == reverse("standards:detail", args=[standard.pk])
    assert standard.holder == city.institute and standard.is_public
    response = client.post(
        reverse("standards:edit", args=[standard.pk]), standard_post(lab.today, measuring_range="(0~100) MPa")
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.measuring_range == "(0~100) MPa"
    client.post(reverse("standards:status", args=[standard.pk]), {"status": "retired"})
    standard.refresh_from_db()
    assert standard.status == Standard.Status.RETIRED
    # (force_login is a login, and logins are audited too: only the standard's own events here.)
    actions = list(
        AuditEvent.objects.filter(action__startswith="standard.").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["standard.create", "standard.update", "standard.set_status"]


def test_the_create_form_shows_a_duplicate_code_on_its_field(client, city, lab):
    client.force_login(city.institute_user)
    response = client.post(reverse("standards:create"), standard_post(lab.today, code="CS-001"))
    assert response.status_code == 200
    assert "本单位已有相同标准代码的计量标准" in body(response)


def test_an_institute_adds_equipment_and_a_certificate_through_the_forms(client, city, lab):
    client.force_login(city.institute_user)
    client.post(
        reverse("standards:equipment_add", args=[lab.city_standard.pk]),
        {"role": "standard", "name": "数字压力计", "serial_number": "P-77", "model": "", "manufacturer": ""},
    )
    equipment = StandardEquipment.objects.get(serial_number="P-77")
    url = reverse("standards:certificate_add", args=[equipment.pk])
    both = {
        "issuer_standard": lab.county_standard.pk,
        "issuer_authority": lab.province.pk,
        "number": "C-1",
        "issued_on": lab.today.isoformat(),
        "valid_until": (lab.today + timedelta(days=365)).isoformat(),
    }
    response = client.post(url, both)
    assert response.status_code == 200 and "须填写且只填写一个" in body(response)
    response = client.post(url, {**both, "issuer_standard": ""})
    assert response.status_code == 302
    assert EquipmentCertificate.objects.get(number="C-1").issuer_authority == lab.province


def test_authorizations_are_listed_in_scope_and_granted_by_a_regulator(client, city, lab):
    client.force_login(city.county_regulator_a)
    response = client.post(
        reverse("standards:authorization_grant"),
        {
            "institute": lab.county_institute.pk,
            "number": "SQ-A-1",
            "catalog_items": [catalog_item("02").pk],
            "valid_from": lab.today.isoformat(),
            "valid_until": (lab.today + timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert "SQ-A-1" in body(client.get(reverse("standards:authorizations")))
    for user, sees in (
        (city.county_regulator_b, False),
        (city.institute_user, False),
        (lab.county_institute_user, True),
        (city.city_regulator, True),
    ):
        client.force_login(user)
        assert ("SQ-A-1" in body(client.get(reverse("standards:authorizations")))) is sees, user.username


def test_a_county_regulator_cannot_grant_to_or_revoke_for_an_institute_outside_its_county(client, city, lab):
    client.force_login(city.county_regulator_b)
    response = client.post(
        reverse("standards:authorization_grant"),
        {
            "institute": lab.county_institute.pk,
            "number": "SQ-X",
            "catalog_items": [catalog_item("02").pk],
            "valid_from": lab.today.isoformat(),
            "valid_until": (lab.today + timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 200  # the institute is not among the choices
    assert not Authorization.objects.filter(number="SQ-X").exists()
    authorization = Authorization.objects.create(
        institute=lab.county_institute,
        issued_by=city.bureau_a,
        number="SQ-A",
        valid_from=lab.today,
        valid_until=lab.today + timedelta(days=10),
    )
    assert client.post(reverse("standards:authorization_revoke", args=[authorization.pk])).status_code == 404
    authorization.refresh_from_db()
    assert authorization.revoked_on is None


def test_institutes_have_no_grant_form(client, city, lab):
    client.force_login(city.institute_user)
    assert client.get(reverse("standards:authorization_grant")).status_code == 404


def test_the_admin_lists_every_standards_model(client, city, lab):
    client.force_login(city.admin)
    for name in (
        "standard",
        "standardequipment",
        "equipmentcertificate",
        "externalauthority",
        "authorization",
        "capabilitydeclaration",
    ):
        assert client.get(reverse(f"admin:standards_{name}_changelist")).status_code == 200, name
    text = body(client.get(reverse("admin:standards_standard_change", args=[lab.city_standard.pk])))
    assert "W-001" in text


def test_the_list_reminds_of_standards_due_for_re_assessment(client, city, lab):
    client.force_login(city.institute_user)
    assert 'id="reassessment-reminder"' not in body(client.get(reverse("standards:list")))
    Standard.objects.filter(pk=lab.city_standard.pk).update(certificate_valid_until=lab.today + timedelta(days=100))
    text = body(client.get(reverse("standards:list")))
    assert 'id="reassessment-reminder"' in text
    assert "1 项计量标准的考核证书将在六个月内到期" in text
    # Another institute's standard due for re-assessment is not this institute's reminder.
    client.force_login(lab.county_institute_user)
    assert 'id="reassessment-reminder"' not in body(client.get(reverse("standards:list")))


@pytest.mark.parametrize("name", ["status", "revoke"])
def test_anonymous_posts_are_sent_to_login_and_change_nothing(client, city, lab, name):
    authorization = Authorization.objects.create(
        institute=city.institute,
        issued_by=city.city_bureau,
        number="SQ-1",
        valid_from=lab.today,
        valid_until=lab.today + timedelta(days=10),
    )
    url = {
        "status": reverse("standards:status", args=[lab.city_standard.pk]),
        "revoke": reverse("standards:authorization_revoke", args=[authorization.pk]),
    }[name]
    response = client.post(url, {"status": "retired"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    lab.city_standard.refresh_from_db()
    authorization.refresh_from_db()
    assert lab.city_standard.status == "active" and authorization.revoked_on is None


def test_anonymous_visitors_are_sent_to_login_from_the_grant_form(client, lab):
    response = client.get(reverse("standards:authorization_grant"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_owner_cannot_post_a_status_change_or_a_revocation(client, city, lab):
    client.force_login(city.owner_a_user)
    assert (
        client.post(reverse("standards:status", args=[lab.city_standard.pk]), {"status": "retired"}).status_code == 404
    )
    assert client.post(reverse("standards:authorization_revoke", args=[1])).status_code == 404


def test_the_status_choices_are_the_allowed_changes_in_order_with_none_preselected(client, city, lab):
    client.force_login(city.institute_user)
    text = body(client.get(reverse("standards:detail", args=[lab.city_standard.pk])))
    form = text[text.index('id="id_status"') :]
    form = form[: form.index("</select>")]
    assert form.index('value=""') < form.index('value="suspended"') < form.index('value="retired"')
    assert 'value="active"' not in form
