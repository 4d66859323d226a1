"""The registry's pages: each persona sees exactly its scope, filters work, and changes through the pages are
audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiliang.core.models import AuditEvent
from jiliang.instruments.models import Instrument
from tests.factories import InstrumentFactory, OrganizationFactory, catalog_item

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def table_serials(response) -> set[str]:
    """Serial numbers in the list's table (the first column links to the detail page)."""
    return set(re.findall(r'<td class="mono"><a href="/instruments/\d+/">([^<]+)</a>', html(response)))


@pytest.fixture
def both(instrument_a, instrument_b):
    return instrument_a, instrument_b


def make(owner, serial, *, verified_days_ago=None, usage="trade", item="02", **extra):
    """An instrument of ``owner``; catalog row 02 (price scale) is periodic with a 12-month interval."""
    verified = TODAY - timedelta(days=verified_days_ago) if verified_days_ago is not None else None
    return InstrumentFactory(
        owner=owner,
        serial_number=serial,
        catalog_item=catalog_item(item) if item else None,
        usage=usage,
        last_verified_on=verified,
        **extra,
    )


# ---- Anonymous ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,args",
    [
        ("instruments:list", []),
        ("instruments:create", []),
        ("instruments:detail", ["pk"]),
        ("instruments:edit", ["pk"]),
    ],
)
def test_anonymous_visitor_is_sent_to_the_login_page(client, instrument_a, name, args):
    url = reverse(name, args=[instrument_a.pk if a == "pk" else a for a in args])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_anonymous_visitor_cannot_change_a_status(client, instrument_a):
    response = client.post(reverse("instruments:status", args=[instrument_a.pk]), {"status": "stopped", "reason": "x"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    instrument_a.refresh_from_db()
    assert instrument_a.status == Instrument.Status.IN_USE


# ---- List --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("city_regulator", {"A-0001", "B-0001"}),
        ("county_regulator_a", {"A-0001"}),
        ("county_regulator_b", {"B-0001"}),
        ("owner_a", {"A-0001"}),
        ("owner_b", {"B-0001"}),
        ("institute", set()),
    ],
)
def test_list_shows_each_persona_exactly_its_scope(client, city, both, persona, expected):
    response = login(client, city.personas[persona]).get(reverse("instruments:list"))
    assert response.status_code == 200
    assert table_serials(response) == expected


def test_county_regulator_filters_offer_only_its_county(client, city, both):
    response = login(client, city.county_regulator_a).get(reverse("instruments:list"))
    body = html(response)
    county_select = re.search(r'<select id="f-county" name="county">(.*?)</select>', body, re.S).group(1)
    assert f'<option value="{city.county_a.pk}"' in county_select
    assert f'<option value="{city.county_b.pk}"' not in county_select
    assert "乙县" not in body


def test_county_regulator_asking_for_another_county_gets_nothing_and_a_reason(client, city, both):
    response = login(client, city.county_regulator_a).get(reverse("instruments:list"), {"county": city.county_b.pk})
    assert table_serials(response) == set()
    assert "所选县（区）不在您的管辖范围内" in html(response)


def test_county_regulator_asking_for_another_countys_owner_gets_nothing(client, city, both):
    response = login(client, city.county_regulator_a).get(reverse("instruments:list"), {"owner": city.owner_b.pk})
    assert table_serials(response) == set()
    assert "乙县加油站" not in html(response)


def test_city_regulator_filters_the_list_by_county(client, city, both):
    response = login(client, city.city_regulator).get(reverse("instruments:list"), {"county": city.county_b.pk})
    assert table_serials(response) == {"B-0001"}


def test_list_filters_by_due_state(client, city, both):
    make(city.owner_a, "A-VALID", verified_days_ago=30)
    make(city.owner_a, "A-SOON", verified_days_ago=350)
    make(city.owner_a, "A-NEVER")
    make(city.owner_a, "A-NA", usage="other", verified_days_ago=30)
    make(city.owner_a, "A-OVER", verified_days_ago=400)
    client = login(client, city.owner_a_user)
    url = reverse("instruments:list")
    assert table_serials(client.get(url, {"due_state": "overdue"})) == {"A-OVER"}
    assert table_serials(client.get(url, {"due_state": "due_soon"})) == {"A-SOON"}
    assert table_serials(client.get(url, {"due_state": "valid"})) == {"A-0001", "A-VALID"}
    assert table_serials(client.get(url, {"due_state": "never"})) == {"A-NEVER"}
    assert table_serials(client.get(url, {"due_state": "na"})) == {"A-NA"}


def test_list_filters_by_catalog_item_usage_and_status(client, city, both):
    make(city.owner_a, "A-THERMO", item="01", usage="medical", verified_days_ago=10)
    stopped = make(city.owner_a, "A-STOPPED", verified_days_ago=10)
    Instrument.objects.filter(pk=stopped.pk).update(status=Instrument.Status.STOPPED)
    client = login(client, city.city_regulator)
    url = reverse("instruments:list")
    assert table_serials(client.get(url, {"catalog_item": catalog_item("01").pk})) == {"A-THERMO"}
    assert table_serials(client.get(url, {"usage": "medical"})) == {"A-THERMO"}
    assert table_serials(client.get(url, {"status": "stopped"})) == {"A-STOPPED"}


def test_list_searches_by_serial_prefix_and_by_owner_name(client, city, both):
    client = login(client, city.city_regulator)
    url = reverse("instruments:list")
    assert table_serials(client.get(url, {"q": "B-00"})) == {"B-0001"}
    assert table_serials(client.get(url, {"q": "农贸"})) == {"A-0001"}


def test_conditions_that_arrive_by_link_show_as_removable_chips(client, city, both):
    response = login(client, city.city_regulator).get(
        reverse("instruments:list"), {"owner": city.owner_a.pk, "mandatory": "1", "status": "in_use"}
    )
    body = html(response)
    assert table_serials(response) == {"A-0001"}
    assert "使用单位：甲县农贸市场" in body and "强制检定：是" in body
    # Each chip's link drops its own condition and keeps the others.
    assert 'href="/instruments/?status=in_use&amp;mandatory=1"' in body
    assert f'href="/instruments/?owner={city.owner_a.pk}&amp;status=in_use"' in body


def test_list_reports_a_bad_filter_instead_of_failing(client, city, both):
    response = login(client, city.city_regulator).get(reverse("instruments:list"), {"due_state": "bogus"})
    assert response.status_code == 200
    assert "筛选条件“检定状态”无效" in html(response)
    assert table_serials(response) == {"A-0001", "B-0001"}


def test_list_marks_each_due_state_with_its_coloured_badge(client, city, both):
    make(city.owner_a, "A-VALID", verified_days_ago=30)
    make(city.owner_a, "A-SOON", verified_days_ago=350)
    make(city.owner_a, "A-NEVER")
    make(city.owner_a, "A-NA", usage="other")
    make(city.owner_a, "A-OVER", verified_days_ago=400)
    body = html(login(client, city.owner_a_user).get(reverse("instruments:list")))
    assert '<span class="badge due-overdue">已超期</span>' in body
    assert '<span class="badge due-due_soon">即将到期</span>' in body
    assert '<span class="badge due-valid">有效</span>' in body
    assert '<span class="badge due-never">未检定</span>' in body
    assert '<span class="badge due-na">非强检</span>' in body


def test_list_shows_the_interval_confidence_beside_a_due_date_to_the_admin_only(client, city, both):
    # Row 02's interval is unconfirmed in the shipped catalog: a flag for whoever can correct the catalog.
    assert catalog_item("02").confidence == "unconfirmed"
    body = html(login(client, city.admin).get(reverse("instruments:list")))
    assert 'class="conf-mark conf-unconfirmed"' in body
    body = html(login(client, city.owner_a_user).get(reverse("instruments:list")))
    assert "conf-mark" not in body and "未核实" not in body


def test_list_pages_by_keyset_and_keeps_the_filters(client, city):
    for n in range(57):
        make(city.owner_a, f"P-{n:03d}", verified_days_ago=10)
    client = login(client, city.owner_a_user)
    first = client.get(reverse("instruments:list"), {"usage": "trade"})
    assert len(table_serials(first)) == 50
    assert "共 57 条" in html(first)
    next_href = re.search(r'rel="next" href="([^"]+)"', html(first)).group(1).replace("&amp;", "&")
    assert "usage=trade" in next_href and "after=" in next_href
    second = client.get(next_href)
    assert len(table_serials(second)) == 7
    assert table_serials(first).isdisjoint(table_serials(second))
    prev_href = re.search(r'rel="prev" href="([^"]+)"', html(second)).group(1).replace("&amp;", "&")
    assert table_serials(client.get(prev_href)) == table_serials(first)


def test_list_count_is_capped_rather_than_counting_everything(client, city, both, monkeypatch):
    from jiliang.instruments import views

    monkeypatch.setattr(views, "COUNT_CAP", 1)
    body = html(login(client, city.city_regulator).get(reverse("instruments:list")))
    assert "超过 1 条" in body


def test_htmx_request_gets_only_the_results_fragment(client, city, both):
    response = login(client, city.city_regulator).get(
        reverse("instruments:list"), {"county": city.county_a.pk}, headers={"HX-Request": "true"}
    )
    body = html(response)
    assert "<html" not in body
    assert table_serials(response) == {"A-0001"}
    assert "HX-Request" in response["Vary"]


def test_export_and_import_buttons_carry_the_filters(client, city, both):
    body = html(login(client, city.city_regulator).get(reverse("instruments:list"), {"due_state": "overdue", "q": "A"}))
    assert 'href="/instruments/export.xlsx?due_state=overdue&amp;q=A"' in body
    assert f'href="{reverse("instruments:import")}"' in body
    assert f'href="{reverse("instruments:create")}"' in body


# ---- Detail ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona,status",
    [
        ("city_regulator", 200),
        ("county_regulator_a", 200),
        ("county_regulator_b", 404),
        ("owner_a", 200),
        ("owner_b", 404),
        ("institute", 404),
    ],
)
def test_detail_is_visible_only_within_scope(client, city, instrument_a, persona, status):
    response = login(client, city.personas[persona]).get(reverse("instruments:detail", args=[instrument_a.pk]))
    assert response.status_code == status
    if status == 404:
        assert "A-0001" not in html(response)


def test_detail_of_a_missing_instrument_is_404_like_an_out_of_scope_one(client, city):
    response = login(client, city.city_regulator).get(reverse("instruments:detail", args=[999999]))
    assert response.status_code == 404


def test_detail_shows_the_catalog_interval_and_the_derived_fields(client, city, instrument_a):
    body = html(login(client, city.owner_a_user).get(reverse("instruments:detail", args=[instrument_a.pk])))
    assert "检定周期 12 个月" in body
    assert "conf-unconfirmed" not in body and "未核实" not in body  # a flag for the admin (tests/catalog)
    assert instrument_a.due_on.isoformat() in body
    assert '<span class="badge due-valid">有效</span>' in body
    assert "JJG 539" in body
    for label in (
        "出厂编号",
        "型号规格",
        "制造单位",
        "准确度等级",
        "测量范围",
        "安装使用地点",
        "备案日期",
        "最近检定日期",
    ):
        assert label in body


def test_detail_offers_the_status_form_to_owner_and_regulator(client, city, instrument_a):
    url = reverse("instruments:detail", args=[instrument_a.pk])
    status_url = reverse("instruments:status", args=[instrument_a.pk])
    for user in (city.owner_a_user, city.county_regulator_a):
        client.force_login(user)
        assert f'action="{status_url}"' in html(client.get(url))


# ---- Create ------------------------------------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "catalog_item": catalog_item("02").pk,
        "usage": "trade",
        "name": "电子计价秤",
        "serial_number": "NEW-001",
        "model": "ACS-15",
        "last_verified_on": (TODAY - timedelta(days=100)).isoformat(),
    }
    data.update(overrides)
    return data


def test_owner_creates_an_instrument_for_itself_and_the_creation_is_audited(client, city):
    client = login(client, city.owner_a_user)
    assert client.get(reverse("instruments:create")).status_code == 200
    # Posting mandatory/due_on does nothing: they are derived.
    response = client.post(reverse("instruments:create"), form_data(mandatory="0", due_on="2099-01-01"))
    instrument = Instrument.objects.get(serial_number="NEW-001")
    assert response.status_code == 302
    assert response.url == reverse("instruments:detail", args=[instrument.pk])
    assert instrument.owner == city.owner_a
    assert instrument.mandatory is True
    assert instrument.due_on == instrument.last_verified_on.replace(
        year=instrument.last_verified_on.year + 1
    ) - timedelta(days=1)
    event = AuditEvent.objects.get(object_type="instruments.instrument", object_id=str(instrument.pk))
    assert event.action == "instrument.create" and event.actor == city.owner_a_user
    detail = html(client.get(response.url))
    assert "变更记录" in detail and "登记" in detail


def test_owner_form_has_no_owner_field(client, city):
    body = html(login(client, city.owner_a_user).get(reverse("instruments:create")))
    assert 'name="owner"' not in body
    assert 'name="mandatory"' not in body and 'name="due_on"' not in body


def test_regulator_creates_for_an_owner_in_scope_by_credit_code(client, city):
    client = login(client, city.county_regulator_a)
    response = client.post(reverse("instruments:create"), form_data(owner=city.owner_a.credit_code))
    assert response.status_code == 302
    assert Instrument.objects.get(serial_number="NEW-001").owner == city.owner_a


def test_county_regulator_cannot_create_for_another_countys_owner(client, city):
    client = login(client, city.county_regulator_a)
    response = client.post(reverse("instruments:create"), form_data(owner=city.owner_b.credit_code))
    assert response.status_code == 200
    assert "未找到该使用单位" in html(response)
    assert not Instrument.objects.filter(serial_number="NEW-001").exists()


def test_duplicate_serial_comes_back_as_a_form_error(client, city, instrument_a):
    client = login(client, city.owner_a_user)
    response = client.post(reverse("instruments:create"), form_data(serial_number="A-0001"))
    assert response.status_code == 200
    assert "该单位已登记同一目录条目、同一出厂编号的器具" in html(response)
    assert Instrument.objects.filter(serial_number="A-0001").count() == 1


def test_institute_may_not_open_the_create_form(client, city):
    client = login(client, city.institute_user)
    assert client.get(reverse("instruments:create")).status_code == 403
    assert client.post(reverse("instruments:create"), form_data()).status_code == 403
    assert not Instrument.objects.filter(serial_number="NEW-001").exists()


def test_owner_suggestions_list_only_owners_in_scope(client, city):
    other = OrganizationFactory(name="甲县第二农贸市场", region=city.county_a)
    client = login(client, city.county_regulator_a)
    response = client.get(
        reverse("instruments:create"), {"helper": "owners", "owner": "农贸"}, headers={"HX-Request": "true"}
    )
    body = html(response)
    assert city.owner_a.credit_code in body and other.credit_code in body
    assert city.owner_b.credit_code not in body
    assert "乙县加油站" not in html(
        client.get(reverse("instruments:create"), {"helper": "owners", "owner": "加油"}, headers={"HX-Request": "true"})
    )


def test_preview_shows_the_derived_due_date_without_saving(client, city):
    client = login(client, city.owner_a_user)
    response = client.get(
        reverse("instruments:create"),
        {
            "helper": "preview",
            "catalog_item": catalog_item("02").pk,
            "usage": "trade",
            "last_verified_on": "2026-04-01",
        },
        headers={"HX-Request": "true"},
    )
    body = html(response)
    assert "2027-03-31" in body
    assert "未核实" not in body  # the catalog's confidence is the admin's (tests/catalog)
    assert Instrument.objects.count() == 0


# ---- Edit --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner_b", "county_regulator_b", "institute"])
def test_edit_of_an_out_of_scope_instrument_is_404(client, city, instrument_a, persona):
    client = login(client, city.personas[persona])
    url = reverse("instruments:edit", args=[instrument_a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(name="改名")).status_code == 404
    instrument_a.refresh_from_db()
    assert instrument_a.name == "电子计价秤"


def test_owner_edits_its_instrument_and_the_change_is_audited(client, city, instrument_a):
    client = login(client, city.owner_a_user)
    url = reverse("instruments:edit", args=[instrument_a.pk])
    body = html(client.get(url))
    assert 'value="A-0001"' in body
    # The last verification is no input on edit: it comes from the records, linked from the form.
    assert 'name="last_verified_on"' not in body
    assert "#records" in body
    old_due = instrument_a.due_on
    response = client.post(url, form_data(serial_number="A-0001", location="二号摊位", last_verified_on="2026-04-01"))
    assert response.status_code == 302
    instrument_a.refresh_from_db()
    assert instrument_a.location == "二号摊位"
    assert instrument_a.due_on == old_due  # a posted date is ignored
    assert instrument_a.last_verification.source == "declared"
    event = AuditEvent.objects.filter(object_id=str(instrument_a.pk), action="instrument.update").get()
    assert event.changes["location"] == ["", "二号摊位"]
    detail = html(client.get(reverse("instruments:detail", args=[instrument_a.pk])))
    assert "二号摊位" in detail and "修改" in detail


# ---- Status ------------------------------------------------------------------------------------------------


def test_status_change_is_post_only(client, city, instrument_a):
    response = login(client, city.owner_a_user).get(reverse("instruments:status", args=[instrument_a.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("persona", ["owner_b", "county_regulator_b", "institute"])
def test_status_change_of_an_out_of_scope_instrument_is_404(client, city, instrument_a, persona):
    response = login(client, city.personas[persona]).post(
        reverse("instruments:status", args=[instrument_a.pk]), {"status": "stopped", "reason": "x"}
    )
    assert response.status_code == 404
    instrument_a.refresh_from_db()
    assert instrument_a.status == Instrument.Status.IN_USE


def test_regulator_stops_an_instrument_with_a_reason_and_it_is_audited(client, city, instrument_a):
    client = login(client, city.county_regulator_a)
    response = client.post(
        reverse("instruments:status", args=[instrument_a.pk]), {"status": "stopped", "reason": "送修"}
    )
    assert response.status_code == 302
    instrument_a.refresh_from_db()
    assert instrument_a.status == Instrument.Status.STOPPED
    event = AuditEvent.objects.get(object_id=str(instrument_a.pk), action="instrument.set_status")
    assert event.changes == {"status": ["in_use", "stopped"], "reason": "送修"}
    detail = html(client.get(response.url))
    assert "送修" in detail and "变更状态" in detail


def test_stopping_without_a_reason_is_refused(client, city, instrument_a):
    response = login(client, city.owner_a_user).post(
        reverse("instruments:status", args=[instrument_a.pk]), {"status": "stopped", "reason": " "}
    )
    assert response.status_code == 200
    assert "停用或报废须说明原因" in html(response)
    instrument_a.refresh_from_db()
    assert instrument_a.status == Instrument.Status.IN_USE
    assert not AuditEvent.objects.filter(action="instrument.set_status").exists()


def test_a_scrapped_instrument_offers_no_status_change(client, city, instrument_a):
    client = login(client, city.owner_a_user)
    client.post(reverse("instruments:status", args=[instrument_a.pk]), {"status": "scrapped", "reason": "损坏"})
    body = html(client.get(reverse("instruments:detail", args=[instrument_a.pk])))
    assert 'id="status-card"' not in body
    assert "该器具已报废" in body
    response = client.post(reverse("instruments:status", args=[instrument_a.pk]), {"status": "in_use", "reason": ""})
    assert response.status_code == 302
    instrument_a.refresh_from_db()
    assert instrument_a.status == Instrument.Status.SCRAPPED
