"""/api/v1/requests: scoped reads, owner submission, actions with 403/404/409/422 as documented, 401 without token."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from jiliang.verification.models import FeeSchedule, ServiceRequest

from .conftest import submit

URL = "/api/v1/requests"
Status = ServiceRequest.Status


def test_owner_submits_and_sees_fees_and_waiver(city, window, api):
    body = {"instrument_ids": [window.a1.pk], "service": "verification", "place": "send_in", "contact": "王"}
    response = api(city.owner_a_user).post(URL, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted" and data["institute_id"] == city.institute.pk
    assert data["fee_total"] == "0.00" and data["fee_waived"] == "0.00" and data["fee_payable"] == "0.00"
    assert data["items"][0]["waiver_reason"] == "强制检定免费（财税〔2017〕20号，2017年4月1日起）"
    assert data["clock"]["stage"] == "accept" and data["clock"]["late"] is False
    assert [e["to_status"] for e in data["events"]] == ["submitted"]


def test_petrol_station_pays_for_calibration_not_for_mandatory_verification_over_the_api(city, window, api):
    body = {"instrument_ids": [window.b1.pk], "service": "verification", "place": "on_site"}
    data = api(city.owner_b_user).post(URL, body).json()
    assert data["fee_payable"] == "0.00" and data["items"][0]["waiver_reason"].startswith("强制检定免费")
    FeeSchedule.objects.create(
        catalog_item=window.b1.catalog_item, service="calibration", amount=Decimal("120"), valid_from=window.today
    )
    assert api(city.owner_b_user).post(f"{URL}/{data['id']}/withdraw", {}).status_code == 200
    body = {"instrument_ids": [window.b1.pk], "service": "calibration", "place": "on_site"}
    data = api(city.owner_b_user).post(URL, body).json()
    assert data["fee_payable"] == "120.00" and data["items"][0]["waived"] == "0.00"


def test_submission_errors(city, window, api):
    owner = api(city.owner_a_user)
    empty = owner.post(URL, {"instrument_ids": [], "service": "verification", "place": "send_in"})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "instrument_ids"
    other = owner.post(URL, {"instrument_ids": [window.b1.pk], "service": "verification", "place": "send_in"})
    assert other.status_code == 404
    order = owner.post(
        URL,
        {
            "instrument_ids": [window.a1.pk],
            "service": "verification",
            "place": "send_in",
            "preferred_from": "2026-12-10",
            "preferred_to": "2026-12-01",
        },
    )
    assert order.status_code == 422 and order.json()["errors"][0]["field"] == "preferred_to"
    owner.post(URL, {"instrument_ids": [window.a1.pk], "service": "verification", "place": "send_in"})
    clash = owner.post(URL, {"instrument_ids": [window.a1.pk], "service": "verification", "place": "send_in"})
    assert clash.status_code == 409
    regulator = api(city.city_regulator).post(
        URL, {"instrument_ids": [window.a1.pk], "service": "verification", "place": "send_in"}
    )
    assert regulator.status_code == 403


def test_list_is_scoped_and_filtered(city, window, api):
    a = submit(city, [window.a1])
    b = submit(city, [window.b1], user=city.owner_b_user)
    ServiceRequest.objects.filter(pk=a.pk).update(accept_by=window.today - timedelta(days=1))

    def ids(user, **query):
        response = api(user).get(URL, **query)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids(city.owner_a_user) == {a.pk}
    assert ids(city.owner_b_user) == {b.pk}
    assert ids(city.county_regulator_b) == {b.pk}
    assert ids(city.city_regulator) == {a.pk, b.pk}
    assert ids(city.institute_user, late="true") == {a.pk}
    assert ids(window.other_institute_user) == set()
    assert ids(city.city_regulator, county=city.county_a.pk) == {a.pk}
    late = api(city.city_regulator).get(URL, late="true").json()["items"][0]
    assert late["clock"]["late"] is True and late["item_count"] == 1


def test_detail_is_404_outside_scope(city, window, api):
    a = submit(city, [window.a1])
    for user in (city.owner_b_user, city.county_regulator_b, window.other_institute_user):
        assert api(user).get(f"{URL}/{a.pk}").status_code == 404
    for user in (city.owner_a_user, city.county_regulator_a, city.city_regulator, city.institute_user, city.admin):
        assert api(user).get(f"{URL}/{a.pk}").status_code == 200
    assert api(None).get(f"{URL}/{a.pk}").status_code == 401
    assert api(None).get(URL).status_code == 401
    assert api(None).post(URL, {}).status_code == 401
    assert api(None).post(f"{URL}/{a.pk}/accept", {}).status_code == 401


def test_actions_over_the_api(city, window, api):
    a = submit(city, [window.a1])
    inst = api(city.institute_user)
    owner = api(city.owner_a_user)
    assert inst.post(f"{URL}/{a.pk}/return", {}).status_code == 422  # no reason
    returned = inst.post(f"{URL}/{a.pk}/return", {"reason": "请补充电话"})
    assert returned.status_code == 200 and returned.json()["clock"]["stage"] == "paused"
    resubmitted = owner.post(f"{URL}/{a.pk}/resubmit", {"phone": "13800000000"})
    assert resubmitted.json()["status"] == "submitted" and resubmitted.json()["phone"] == "13800000000"
    assert resubmitted.json()["contact"] == "王经理"
    assert inst.post(f"{URL}/{a.pk}/accept", {}).json()["status"] == "accepted"
    assert inst.post(f"{URL}/{a.pk}/schedule", {}).status_code == 422
    day = (window.today + timedelta(days=2)).isoformat()
    assert inst.post(f"{URL}/{a.pk}/schedule", {"scheduled_on": day}).json()["scheduled_on"] == day
    assert inst.post(f"{URL}/{a.pk}/start", {}).json()["status"] == "in_work"
    incomplete = inst.post(f"{URL}/{a.pk}/complete", {})
    assert incomplete.status_code == 409 and "A-1" in incomplete.json()["detail"]
    assert owner.post(f"{URL}/{a.pk}/withdraw", {}).status_code == 409
    assert inst.post(f"{URL}/{a.pk}/explode", {}).status_code in (404, 422)


def test_actions_refused_to_outsiders(city, window, api):
    a = submit(city, [window.a1])
    for user in (city.owner_b_user, city.county_regulator_b, window.other_institute_user):
        assert api(user).post(f"{URL}/{a.pk}/accept", {}).status_code == 404
        assert api(user).post(f"{URL}/{a.pk}/withdraw", {}).status_code == 404
    assert api(city.city_regulator).post(f"{URL}/{a.pk}/accept", {}).status_code == 403
    assert api(city.owner_a_user).post(f"{URL}/{a.pk}/accept", {}).status_code == 403
    assert api(city.institute_user).post(f"{URL}/{a.pk}/withdraw", {}).status_code == 403
    assert ServiceRequest.objects.get(pk=a.pk).status == Status.SUBMITTED
