"""The one window's pages: the owner's form (preview with the waiver, submit), lists by role with late flags, the
detail with its timeline and buttons, actions; outsiders refused on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from jiliang.verification.models import ServiceRequest
from jiliang.verification.services import requests as svc

from .conftest import submit

Status = ServiceRequest.Status
LIST = reverse("requests:list")
NEW = reverse("requests:new")


def detail(pk):
    return reverse("requests:detail", args=[pk])


def action(pk, name):
    return reverse("requests:action", args=[pk, name])


@pytest.fixture
def as_user(client):
    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


def test_anonymous_is_sent_to_login_everywhere(city, window, as_user):
    a = submit(city, [window.a1])
    client = as_user(None)
    for url in (LIST, NEW, detail(a.pk)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(action(a.pk, "accept"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ServiceRequest.objects.get(pk=a.pk).status == Status.SUBMITTED


def test_owner_form_previews_why_mandatory_verification_is_free_then_submits(city, window, as_user):
    client = as_user(city.owner_a_user)
    page = client.get(NEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "A-1" in html and "B-1" not in html
    filtered = client.get(NEW, {"q": "A-2"}, headers={"HX-Request": "true"})
    assert "A-2" in filtered.content.decode() and "A-1" not in filtered.content.decode()
    form = {
        "mode": "pick",
        "instrument_ids": [window.a1.pk, window.a2.pk],
        "service": "verification",
        "place": "send_in",
    }
    preview = client.post(NEW, {**form, "preview": "1"}, headers={"HX-Request": "true"})
    text = preview.content.decode()
    assert preview.status_code == 200 and city.institute.name in text
    assert 'data-testid="fee-payable"><strong>0.00' in text
    assert text.count("强制检定免费（财税〔2017〕20号，2017年4月1日起）") == 2
    assert not ServiceRequest.objects.exists()
    response = client.post(NEW, form)
    created = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(created.pk)
    assert created.fee_waived == created.fee_total == 0
    page = client.get(detail(created.pk)).content.decode()
    assert page.count('data-testid="fee-note">强制检定免费（财税〔2017〕20号，2017年4月1日起）') == 2


def test_owner_form_due_within_n_days(city, window, as_user):
    client = as_user(city.owner_a_user)
    response = client.post(NEW, {"mode": "due", "due_within_days": "30", "service": "verification", "place": "on_site"})
    assert response.status_code == 302
    assert ServiceRequest.objects.get().items.count() == 2


def test_owner_form_errors_are_shown(city, window, as_user):
    client = as_user(city.owner_a_user)
    empty = client.post(NEW, {"mode": "pick", "service": "verification", "place": "send_in"})
    assert empty.status_code == 200 and "请至少选择一台计量器具" in empty.content.decode()
    foreign = client.post(
        NEW, {"mode": "pick", "instrument_ids": [window.b1.pk], "service": "verification", "place": "send_in"}
    )
    assert foreign.status_code == 200 and "计量器具不存在" in foreign.content.decode()
    wrong_order = client.post(
        NEW,
        {
            "mode": "pick",
            "instrument_ids": [window.a1.pk],
            "service": "verification",
            "place": "send_in",
            "preferred_from": "2026-12-10",
            "preferred_to": "2026-12-01",
        },
    )
    assert "期望结束日期不能早于期望开始日期" in wrong_order.content.decode()
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("persona", ["institute", "city_regulator", "county_regulator_a"])
def test_only_owners_get_the_form(city, window, as_user, persona):
    assert as_user(city.personas[persona]).get(NEW).status_code == 403


def test_lists_by_role_with_late_flag(city, window, as_user):
    a = submit(city, [window.a1])
    b = submit(city, [window.b1], user=city.owner_b_user)
    ServiceRequest.objects.filter(pk=a.pk).update(accept_by=window.today - timedelta(days=1))

    def listed(user, **query):
        response = as_user(user).get(LIST, query)
        assert response.status_code == 200
        return response.content.decode()

    own = listed(city.owner_a_user)
    assert a.number in own and b.number not in own
    assert b.number in listed(city.owner_b_user) and a.number not in listed(city.owner_b_user)
    inbox = listed(city.institute_user)
    assert a.number in inbox and b.number in inbox and 'data-testid="late"' in inbox
    assert b.number not in listed(city.institute_user, late="1")
    assert a.number not in listed(city.county_regulator_b) and b.number in listed(city.county_regulator_b)
    regional = listed(city.city_regulator)
    assert a.number in regional and b.number in regional and "超期未受理 1 件" in regional
    assert a.number not in listed(window.other_institute_user)
    partial = as_user(city.city_regulator).get(LIST, {"county": city.county_b.pk}, headers={"HX-Request": "true"})
    assert b.number in partial.content.decode() and a.number not in partial.content.decode()


def test_detail_is_404_for_outsiders(city, window, as_user):
    a = submit(city, [window.a1])
    for user in (city.owner_b_user, city.county_regulator_b, window.other_institute_user):
        assert as_user(user).get(detail(a.pk)).status_code == 404
        assert as_user(user).post(action(a.pk, "accept")).status_code == 404
        assert as_user(user).post(action(a.pk, "return"), {"reason": "x"}).status_code == 404
    for user in (city.owner_a_user, city.county_regulator_a, city.city_regulator, city.institute_user, city.admin):
        assert as_user(user).get(detail(a.pk)).status_code == 200
    assert as_user(city.city_regulator).post(action(a.pk, "accept")).status_code == 403
    assert as_user(city.owner_a_user).post(action(a.pk, "accept")).status_code == 403
    assert as_user(city.institute_user).post(action(a.pk, "explode")).status_code == 404
    assert ServiceRequest.objects.get(pk=a.pk).status == Status.SUBMITTED


def test_regulator_detail_is_read_only(city, window, as_user):
    a = submit(city, [window.a1])
    html = as_user(city.county_regulator_a).get(detail(a.pk)).content.decode()
    assert 'id="actions"' not in html and "A-1" in html


def test_institute_works_a_request_through_the_page(city, window, as_user):
    a = submit(city, [window.a1])
    client = as_user(city.institute_user)
    html = client.get(detail(a.pk)).content.decode()
    assert action(a.pk, "accept") in html and action(a.pk, "reject") in html and action(a.pk, "return") in html
    assert "/records/new/" not in html  # nothing to record before acceptance
    missing_reason = client.post(action(a.pk, "return"), {"reason": ""}, follow=True)
    assert ServiceRequest.objects.get(pk=a.pk).status == Status.SUBMITTED
    assert missing_reason.status_code == 200
    assert client.post(action(a.pk, "accept")).status_code == 302
    day = (window.today + timedelta(days=2)).isoformat()
    client.post(action(a.pk, "schedule"), {"scheduled_on": day})
    client.post(action(a.pk, "start"))
    page = client.get(detail(a.pk)).content.decode()
    item = a.items.get()
    assert f"/records/new/?item={item.pk}" in page
    refused = client.post(action(a.pk, "complete"), follow=True)
    assert "尚无检定记录" in refused.content.decode()
    assert ServiceRequest.objects.get(pk=a.pk).status == Status.IN_WORK
    timeline = page.split('id="timeline"')[1]
    assert timeline.index("已提交") < timeline.index("已受理") < timeline.index("已排期") < timeline.index("检定中")


def test_owner_resubmits_and_withdraws_through_the_page(city, window, as_user):
    a = submit(city, [window.a1])
    svc.request_return(actor=city.institute_user, request_id=a.pk, reason="请补充联系电话")
    client = as_user(city.owner_a_user)
    html = client.get(detail(a.pk)).content.decode()
    assert "请补充联系电话" in html and action(a.pk, "resubmit") in html
    client.post(action(a.pk, "resubmit"), {"contact": "李四", "phone": "13900000000", "note": "已补充"})
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED and a.phone == "13900000000"
    client.post(action(a.pk, "withdraw"))
    assert ServiceRequest.objects.get(pk=a.pk).status == Status.WITHDRAWN


def test_detail_shows_records_and_certificates(bench, city, as_user):
    from tests.builders.verification import issue_certificate

    certificate = issue_certificate(bench, item=0)
    html = as_user(city.owner_a_user).get(detail(bench.request.pk)).content.decode()
    assert f"/certificates/{certificate.pk}/" in html and certificate.number in html
    assert "未录入" in html  # the second item has no record yet


def test_filtering_the_instruments_keeps_the_ticked_ones(city, window, as_user):
    client = as_user(city.owner_a_user)
    response = client.get(NEW, {"q": "A-2", "instrument_ids": [window.a1.pk]}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "A-2" in html and "A-1" in html and "A-3" not in html
    assert f'value="{window.a1.pk}" form="request-form" id="i-{window.a1.pk}" checked' in html
    # Someone else's id in the query is not listed.
    other = client.get(NEW, {"instrument_ids": [window.b1.pk]}, headers={"HX-Request": "true"}).content.decode()
    assert "B-1" not in other
