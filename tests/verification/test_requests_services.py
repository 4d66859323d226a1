"""The one window's services: submission (fees, the Fuxin waiver, proposals), every transition allowed and refused,
events and audit, the clock's late flag and the scoped selectors."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import AuditEvent, Organization
from jiliang.instruments.models import Instrument
from jiliang.metrology import fees
from jiliang.verification.models import FeeSchedule, RequestEvent, ServiceRequest
from jiliang.verification.selectors import request_clock as clock
from jiliang.verification.selectors import requests as sel
from jiliang.verification.services import requests as svc
from tests.factories import InstrumentFactory, OrganizationFactory, catalog_item, credit_code

from .conftest import authorize, submit

Status = ServiceRequest.Status


# ---- submission --------------------------------------------------------------------------------------------------


def test_mandatory_verification_at_a_market_fair_is_free_today(city, window):
    request = submit(city, [window.a1, window.a2])
    assert request.number == f"SQ-{window.today.year}-000001"
    assert request.status == Status.SUBMITTED and request.institute == city.institute
    items = list(request.items.order_by("id"))
    assert [i.fee for i in items] == [0, 0] and [i.waived for i in items] == [0, 0]
    assert items[0].waiver_reason == fees.FREE_REASON == "强制检定免费（财税〔2017〕20号，2017年4月1日起）"
    assert request.fee_total == 0 and request.fee_waived == 0
    assert request.accept_by == clock.accept_by(window.today)
    assert request.region == city.county_a
    event = request.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", Status.SUBMITTED, city.owner_a_user)
    assert AuditEvent.objects.filter(action="request.submit", object_id=str(request.pk)).exists()


def test_a_petrol_station_pays_nothing_for_mandatory_verification_today(city, window):
    request = submit(city, [window.b1], user=city.owner_b_user)
    item = request.items.get()
    assert item.fee == 0 and item.waived == 0 and item.waiver_reason == fees.FREE_REASON
    assert request.fee_total == 0 and request.fee_waived == 0


def test_market_fair_pays_for_calibration_and_for_non_mandatory_verification(city, window):
    calibration = submit(city, [window.a1], service="calibration")
    assert calibration.items.get().waived == 0 and calibration.fee_total == Decimal("50.00")
    non_mandatory = submit(city, [window.a_other_use])
    assert not window.a_other_use.mandatory
    assert non_mandatory.items.get().waived == 0 and non_mandatory.fee_total == Decimal("30.00")


def test_latest_fee_row_in_force_is_used(city, window):
    item = catalog_item("08")
    FeeSchedule.objects.create(
        catalog_item=item, service="calibration", amount=Decimal("140"), valid_from=window.today - timedelta(days=1)
    )
    FeeSchedule.objects.create(
        catalog_item=item, service="calibration", amount=Decimal("999"), valid_from=window.today + timedelta(days=30)
    )
    request = submit(city, [window.b1], user=city.owner_b_user, service="calibration")
    assert request.items.get().fee == Decimal("140.00")


def test_all_due_within_n_days_picks_mandatory_due_or_overdue(city, window):
    request = submit(city, [], due_within_days=30)
    # a1 overdue, a2 due within 30 days; a_valid is valid for months; a_other_use is not mandatory.
    assert set(request.items.values_list("instrument_id", flat=True)) == {window.a1.pk, window.a2.pk}
    with pytest.raises(DomainError) as exc:
        submit(city, [], due_within_days=30)  # both are now in an open request
    assert exc.value.errors[0][0] == "due_within_days"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"instrument_ids": []}, "instrument_ids"),
        ({"service": "repair"}, "service"),
        ({"place": "moon"}, "place"),
        ({"due_within_days": -1}, "due_within_days"),
    ],
)
def test_submission_refusals(city, window, kwargs, field):
    values = {"instrument_ids": [window.a1.pk]}
    values.update(kwargs)
    if "due_within_days" in kwargs:
        del values["instrument_ids"]
    with pytest.raises(DomainError) as exc:
        svc.request_submit(actor=city.owner_a_user, **{"service": "verification", "place": "send_in", **values})
    assert exc.value.errors[0][0] == field


def test_dates_in_the_wrong_order_are_refused(city, window):
    with pytest.raises(DomainError) as exc:
        submit(city, [window.a1], preferred_from=window.today + timedelta(days=5), preferred_to=window.today)
    assert exc.value.errors[0][0] == "preferred_to"


def test_an_instrument_already_in_an_open_request_is_refused(city, window):
    submit(city, [window.a1])
    with pytest.raises(DomainError) as exc:
        submit(city, [window.a1, window.a2])
    assert exc.value.code == "conflict" and "A-1" in exc.value.message


def test_a_closed_request_frees_its_instruments(city, window):
    first = submit(city, [window.a1])
    svc.request_withdraw(actor=city.owner_a_user, request_id=first.pk)
    assert submit(city, [window.a1]).number.endswith("000002")


def test_only_own_in_use_instruments(city, window):
    with pytest.raises(NotFoundOrForbidden):
        submit(city, [window.b1])  # owner B's
    window.a1.status = Instrument.Status.STOPPED
    window.a1.save()
    with pytest.raises(DomainError):
        submit(city, [window.a1])


@pytest.mark.parametrize("persona", ["institute", "city_regulator", "county_regulator_a", "anonymous"])
def test_only_owners_submit(city, window, persona):
    with pytest.raises(DomainError):
        submit(city, [window.a1], user=city.personas[persona])


# ---- proposals ---------------------------------------------------------------------------------------------------


def test_proposals_fall_back_to_the_city(city, window):
    proposals = sel.request_proposals(actor=city.owner_a_user, instrument_ids=[window.a1.pk])
    assert proposals.proposed == city.institute and proposals.uncovered == []


def test_a_county_institute_is_proposed_in_its_county(city, window):
    county = OrganizationFactory(
        name="甲县计量所", kind=Organization.Kind.INSTITUTE, region=city.county_a, credit_code=credit_code()
    )
    authorize(county, city.bureau_a, ["02"], window.today, number="(辽)法计(2024)21002号")
    proposals = sel.request_proposals(actor=city.owner_a_user, instrument_ids=[window.a1.pk, window.a2.pk])
    assert proposals.proposed == county
    assert [o.institute for o in proposals.options] == [county]
    # Owner B (county B) still falls back to the city institute.
    assert sel.request_proposals(actor=city.owner_b_user, instrument_ids=[window.b1.pk]).proposed == city.institute
    # The city institute may still be chosen? Not for county A: the county has its own authorized institute.
    with pytest.raises(DomainError) as exc:
        submit(city, [window.a1], institute_id=city.institute.pk)
    assert exc.value.errors[0][0] == "institute"
    assert submit(city, [window.a1], institute_id=county.pk).institute == county


def test_instruments_without_an_authorized_institute_are_named(city, window):
    uncatalogued = InstrumentFactory(owner=city.owner_a, serial_number="X-1", catalog_item=catalog_item("22"))
    proposals = sel.request_proposals(actor=city.owner_a_user, instrument_ids=[window.a1.pk, uncatalogued.pk])
    assert proposals.uncovered == [uncatalogued]
    assert proposals.proposed == city.institute
    with pytest.raises(DomainError) as exc:
        submit(city, [window.a1, uncatalogued])
    assert "X-1" in exc.value.message


def test_quote_shows_fees_and_waiver_before_submitting(city, window):
    quote = sel.request_quote(actor=city.owner_a_user, service="verification", instrument_ids=[window.a1.pk])
    assert quote.institute == city.institute and quote.payable == 0 and quote.fee_total == 0
    assert [line.note for line in quote.lines] == [fees.FREE_REASON] and quote.unscheduled == []
    charged = sel.request_quote(actor=city.owner_a_user, service="calibration", instrument_ids=[window.a1.pk])
    assert charged.payable == Decimal("50.00")
    assert charged.lines[0].note == "按收费标准：示例收费标准（非正式），按台件计（2020年1月1日起执行）"
    assert not quote.problems
    assert not ServiceRequest.objects.exists()


# ---- transitions -------------------------------------------------------------------------------------------------


def test_the_whole_path_with_events(city, window, settings):
    request = submit(city, [window.a1])
    inst = city.institute_user
    svc.request_accept(actor=inst, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED and request.complete_by == clock.complete_by(window.today)
    svc.request_schedule(actor=inst, request_id=request.pk, scheduled_on=window.today + timedelta(days=3))
    svc.request_schedule(actor=inst, request_id=request.pk, scheduled_on=window.today + timedelta(days=4))
    svc.request_start(actor=inst, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.IN_WORK and request.scheduled_on == window.today + timedelta(days=4)
    with pytest.raises(DomainError) as exc:
        svc.request_complete(actor=inst, request_id=request.pk)
    assert exc.value.code == "conflict" and "A-1" in exc.value.message
    steps = list(request.events.values_list("from_status", "to_status"))
    assert steps == [
        ("", Status.SUBMITTED),
        (Status.SUBMITTED, Status.ACCEPTED),
        (Status.ACCEPTED, Status.SCHEDULED),
        (Status.SCHEDULED, Status.SCHEDULED),
        (Status.SCHEDULED, Status.IN_WORK),
    ]
    assert all(e.actor == inst for e in request.events.all()[1:])
    assert AuditEvent.objects.filter(action__startswith="request.", object_id=str(request.pk)).count() == 5


def test_complete_once_every_item_has_a_record(bench, city):
    from tests.builders.verification import issue_certificate

    request = bench.request
    svc.request_start(actor=city.institute_user, request_id=request.pk)
    issue_certificate(bench, item=0)
    with pytest.raises(DomainError) as exc:
        svc.request_complete(actor=city.institute_user, request_id=request.pk)
    assert "PS-2" in exc.value.message and "PS-1" not in exc.value.message
    issue_certificate(bench, item=1)
    done = svc.request_complete(actor=city.institute_user, request_id=request.pk)
    assert done.status == Status.COMPLETED and done.completed_at and done.closed_at
    assert not clock.clock_of(done).late


def test_reject_needs_a_reason_and_closes(city, window):
    request = submit(city, [window.a1])
    with pytest.raises(DomainError) as exc:
        svc.request_reject(actor=city.institute_user, request_id=request.pk, reason="  ")
    assert exc.value.errors == [("reason", "请填写原因")]
    done = svc.request_reject(actor=city.institute_user, request_id=request.pk, reason="不在授权范围")
    assert done.status == Status.REJECTED and done.reason == "不在授权范围" and done.closed_at
    assert done.events.last().note == "不在授权范围"


def test_return_pauses_and_resubmit_restarts_the_clock(city, window):
    request = submit(city, [window.a1])
    # Pretend it was submitted a while ago: its accept limit is yesterday (late).
    ServiceRequest.objects.filter(pk=request.pk).update(accept_by=window.today - timedelta(days=1))
    assert sel.late_counts(city.institute_user)["accept"] == 1
    svc.request_return(actor=city.institute_user, request_id=request.pk, reason="请补充联系人电话")
    request.refresh_from_db()
    assert request.status == Status.RETURNED and clock.clock_of(request).stage == clock.PAUSED
    assert sel.late_counts(city.institute_user)["total"] == 0
    svc.request_resubmit(
        actor=city.owner_a_user, request_id=request.pk, phone="13800000000", instrument_ids=[window.a1.pk, window.a2.pk]
    )
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED and request.phone == "13800000000"
    assert request.accept_by == clock.accept_by(window.today) and not clock.clock_of(request).late
    assert request.items.count() == 2 and request.fee_total == 0
    assert set(request.items.values_list("waiver_reason", flat=True)) == {fees.FREE_REASON}
    assert request.contact == "王经理"  # not given: kept


def test_withdraw_before_acceptance_only(city, window):
    request = submit(city, [window.a1])
    svc.request_accept(actor=city.institute_user, request_id=request.pk)
    with pytest.raises(DomainError) as exc:
        svc.request_withdraw(actor=city.owner_a_user, request_id=request.pk)
    assert exc.value.code == "conflict" and "已受理" in exc.value.message
    second = submit(city, [window.a2])
    assert svc.request_withdraw(actor=city.owner_a_user, request_id=second.pk).status == Status.WITHDRAWN


def test_schedule_in_the_past_is_refused(city, window):
    request = submit(city, [window.a1])
    svc.request_accept(actor=city.institute_user, request_id=request.pk)
    with pytest.raises(DomainError) as exc:
        svc.request_schedule(actor=city.institute_user, request_id=request.pk, scheduled_on=window.today - timedelta(1))
    assert exc.value.errors[0][0] == "scheduled_on"


# action -> states from which it is refused (every status not in its allowed set)
ALL = set(Status.values)


@pytest.mark.parametrize("action", sorted(sel.TRANSITIONS))
def test_every_action_refused_from_every_other_state(city, window, action):
    states, who = sel.TRANSITIONS[action]
    actor = city.institute_user if who == sel.INSTITUTE else city.owner_a_user
    request = submit(city, [window.a1])
    kwargs = {"reason": "x"} if action in {"reject", "return"} else {}
    if action == "schedule":
        kwargs = {"scheduled_on": window.today + timedelta(days=1)}
    for status in sorted(ALL - set(states)):
        ServiceRequest.objects.filter(pk=request.pk).update(status=status)
        before = RequestEvent.objects.count()
        with pytest.raises(DomainError) as exc:
            svc.ACTIONS[action](actor=actor, request_id=request.pk, **kwargs)
        assert exc.value.code == "conflict"
        assert RequestEvent.objects.count() == before


@pytest.mark.parametrize("action", sorted(sel.TRANSITIONS))
def test_every_action_refused_to_the_wrong_people(city, window, action):
    states, who = sel.TRANSITIONS[action]
    request = submit(city, [window.a1])
    ServiceRequest.objects.filter(pk=request.pk).update(status=states[0])
    kwargs = {"reason": "x"} if action in {"reject", "return"} else {}
    if action == "schedule":
        kwargs = {"scheduled_on": window.today + timedelta(days=1)}
    # Out of scope: not found.
    for user in (city.owner_b_user, city.county_regulator_b, window.other_institute_user, None):
        with pytest.raises(NotFoundOrForbidden):
            svc.ACTIONS[action](actor=user, request_id=request.pk, **kwargs)
    # In scope but the wrong role: refused with a reason.
    wrong = [city.city_regulator, city.county_regulator_a, city.admin]
    wrong.append(city.owner_a_user if who == sel.INSTITUTE else city.institute_user)
    for user in wrong:
        with pytest.raises(sel.NotAllowed):
            svc.ACTIONS[action](actor=user, request_id=request.pk, **kwargs)
    assert ServiceRequest.objects.get(pk=request.pk).status == states[0]


def test_allowed_actions_for_buttons(city, window):
    request = submit(city, [window.a1])
    assert sel.allowed_actions(city.institute_user, request) == ["accept", "reject", "return"]
    assert sel.allowed_actions(city.owner_a_user, request) == ["withdraw"]
    assert sel.allowed_actions(city.city_regulator, request) == []


# ---- selectors ---------------------------------------------------------------------------------------------------


def test_visibility_by_role_and_region(city, window):
    a = submit(city, [window.a1])
    b = submit(city, [window.b1], user=city.owner_b_user)
    seen = {
        name: set(sel.requests_visible_to(user).values_list("pk", flat=True)) for name, user in city.personas.items()
    }
    assert seen["owner_a"] == {a.pk} and seen["owner_b"] == {b.pk}
    assert seen["county_regulator_a"] == {a.pk} and seen["county_regulator_b"] == {b.pk}
    assert seen["city_regulator"] == {a.pk, b.pk} and seen["institute"] == {a.pk, b.pk}
    assert seen["anonymous"] == set()
    assert not sel.requests_visible_to(window.other_institute_user).exists()
    assert set(sel.requests_visible_to(city.admin).values_list("pk", flat=True)) == {a.pk, b.pk}
    with pytest.raises(NotFoundOrForbidden):
        sel.request_get(city.owner_b_user, a.pk)
    with pytest.raises(NotFoundOrForbidden):
        sel.request_get(city.county_regulator_b, a.pk)


def test_list_filters_and_late_counts(city, window):
    a = submit(city, [window.a1])
    b = submit(city, [window.b1], user=city.owner_b_user)
    svc.request_accept(actor=city.institute_user, request_id=b.pk)
    ServiceRequest.objects.filter(pk=a.pk).update(accept_by=window.today - timedelta(days=1))
    ServiceRequest.objects.filter(pk=b.pk).update(complete_by=window.today - timedelta(days=1))
    reg = city.city_regulator
    assert list(sel.request_list(reg, sel.RequestFilters(late=True))) == [b, a]
    assert list(sel.request_list(reg, sel.RequestFilters(status=Status.ACCEPTED))) == [b]
    assert list(sel.request_list(reg, sel.RequestFilters(county=city.county_a.pk))) == [a]
    assert sel.late_counts(reg) == {"accept": 1, "complete": 1, "total": 2}
    assert sel.late_counts(city.county_regulator_a) == {"accept": 1, "complete": 0, "total": 1}
    assert sel.late_counts(city.owner_b_user)["complete"] == 1
    by_region = {row["region"]: row for row in sel.late_counts_by_region(reg)}
    assert by_region[city.county_a.pk]["accept"] == 1 and by_region[city.county_b.pk]["complete"] == 1
    assert clock.clock_of(ServiceRequest.objects.get(pk=a.pk)).late


def test_parse_filters_reports_bad_values():
    filters = sel.parse_request_filters({"status": "nope", "late": "maybe", "county": "x"})
    assert len(filters.errors) == 3
    good = sel.parse_request_filters({"status": "submitted", "late": "1", "county": "7"})
    assert (good.status, good.late, good.county, good.errors) == ("submitted", True, 7, [])
