"""The early-warning center: each kind with its count and who must act, the filters, the scoping, the page,
its export and the home page's tiles.

The town (on the ``city`` personas and the standards ``lab``), today = T:

- overdue instruments: owner A (county A) 2, owner B (county B) 1; owner A also has one valid instrument;
- standards: the city standard CS-001 (city institute, seated at the city) has its assessment certificate ending
  at T+30 and one of its two pieces of equipment last certified until T+60; the county standard KS-001 (county A
  institute) has its assessment certificate ending at T+80 and is suspended (found out of tolerance) today;
- qualifications: 王检定 (city institute) ends at T+10, 李计量 (county A institute) at T+45; 赵离职, who has left,
  at T+20 and 钱长期 at T+200 are not warnings;
- requests: SQ-LATE-1 (owner A → city institute) not accepted by T−2; SQ-LATE-2 (owner B → county A institute)
  not completed by T−1; SQ-OK (owner A → city institute) still within its limits;
- recall: KS-001's only piece of equipment was last certified at T−100; it was used at T−150 (before: not
  suspect), T−50 and T−20: two certificates to recall.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from jiliang.core.models import Role
from jiliang.indicators.selectors.warnings import (
    WarningKind,
    recall_window_start,
    warning_counts,
    warnings_for,
)
from jiliang.instruments.models import Instrument
from jiliang.people.models import Person, Qualification
from jiliang.standards.models import Standard
from jiliang.standards.services.standards import standard_set_status
from jiliang.verification.models import Certificate, ServiceRequest, StandardUse, VerificationRecord
from tests.builders.standards import Lab
from tests.factories import InstrumentFactory, UserFactory, catalog_item

K = WarningKind


@dataclass
class Town:
    today: date
    lab: Lab
    late_accept: ServiceRequest
    late_complete: ServiceRequest


_numbers = iter(range(1, 10**6))


def used(standard: Standard, instrument: Instrument, day: date, signatories: list[Person]) -> Certificate:
    """A record that used ``standard`` on ``day`` and its certificate, written directly (the services are tested
    in tests/verification; here only the rows matter)."""
    verifier, checker, approver = signatories
    record = VerificationRecord.objects.create(
        instrument=instrument,
        institute=standard.holder,
        performed_on=day,
        conclusion=VerificationRecord.Conclusion.PASS,
        verifier=verifier,
        checker=checker,
        approver=approver,
    )
    StandardUse.objects.create(record=record, standard=standard, performed_on=day)
    n = next(_numbers)
    return Certificate.objects.create(
        number=f"W-{n:06d}",
        kind=Certificate.Kind.VERIFICATION,
        record=record,
        institute=standard.holder,
        owner=instrument.owner,
        region=instrument.region,
        instrument=instrument,
        year=day.year,
        sequence=n,
        issued_on=day,
        valid_until=day + timedelta(days=365),
        token=f"warn-token-{n:06d}",
        document={"number": f"W-{n:06d}"},
        signature="sig",
        key_id="test",
        issued_at=timezone.now(),
    )


def request(number, owner_user, institute, status, *, accept_by, complete_by=None) -> ServiceRequest:
    owner = owner_user.organization
    return ServiceRequest.objects.create(
        number=number,
        owner=owner,
        region=owner.region,
        institute=institute,
        service="verification",
        place=ServiceRequest.Place.SEND_IN,
        status=status,
        submitted_at=timezone.now() - timedelta(days=10),
        accepted_at=timezone.now() - timedelta(days=8) if status != ServiceRequest.Status.SUBMITTED else None,
        accept_by=accept_by,
        complete_by=complete_by,
        created_by=owner_user,
    )


def qualification(person: Person, kind: str, number: str, valid_until: date) -> Qualification:
    return Qualification.objects.create(
        person=person,
        kind=kind,
        grade="1" if kind == Qualification.Kind.REGISTERED_METROLOGIST else "",
        number=number,
        issued_on=valid_until - timedelta(days=1800),
        valid_until=valid_until,
    )


@pytest.fixture
def town(city, lab) -> Town:
    today = lab.today
    scale = catalog_item("02")  # 12-month interval
    overdue = today - timedelta(days=400)
    a1 = InstrumentFactory(owner=city.owner_a, serial_number="A-OVER-1", catalog_item=scale, last_verified_on=overdue)
    InstrumentFactory(owner=city.owner_a, serial_number="A-OVER-2", catalog_item=scale, last_verified_on=overdue)
    InstrumentFactory(owner=city.owner_a, serial_number="A-VALID", catalog_item=scale)
    InstrumentFactory(owner=city.owner_b, serial_number="B-OVER-1", catalog_item=scale, last_verified_on=overdue)

    city_standard, county_standard = lab.city_standard, lab.county_standard
    Standard.objects.filter(pk=city_standard.pk).update(certificate_valid_until=today + timedelta(days=30))
    Standard.objects.filter(pk=county_standard.pk).update(certificate_valid_until=today + timedelta(days=80))
    lab.certificate_2.valid_until = today + timedelta(days=60)
    lab.certificate_2.save(update_fields=["valid_until"])

    def person(organization, name, **fields):
        return Person.objects.create(organization=organization, name=name, **fields)

    verifier = Qualification.Kind.VERIFIER
    qualification(person(city.institute, "王检定"), verifier, "Q-WANG", today + timedelta(days=10))
    qualification(
        person(lab.county_institute, "李计量"),
        Qualification.Kind.REGISTERED_METROLOGIST,
        "Q-LI",
        today + timedelta(days=45),
    )
    left = person(city.institute, "赵离职", left_on=today - timedelta(days=10))
    qualification(left, verifier, "Q-ZHAO", today + timedelta(days=20))
    qualification(person(city.institute, "钱长期"), verifier, "Q-QIAN", today + timedelta(days=200))

    late_accept = request(
        "SQ-LATE-1",
        city.owner_a_user,
        city.institute,
        ServiceRequest.Status.SUBMITTED,
        accept_by=today - timedelta(days=2),
    )
    late_complete = request(
        "SQ-LATE-2",
        city.owner_b_user,
        lab.county_institute,
        ServiceRequest.Status.IN_WORK,
        accept_by=today - timedelta(days=8),
        complete_by=today - timedelta(days=1),
    )
    request(
        "SQ-OK",
        city.owner_a_user,
        city.institute,
        ServiceRequest.Status.ACCEPTED,
        accept_by=today - timedelta(days=8),
        complete_by=today + timedelta(days=10),
    )

    signatories = [person(lab.county_institute, name) for name in ("检定甲", "核验乙", "批准丙")]
    for days_ago in (150, 50, 20):
        used(county_standard, a1, today - timedelta(days=days_ago), signatories)
    standard_set_status(
        actor=lab.county_institute_user, standard_id=county_standard.pk, status=Standard.Status.SUSPENDED
    )
    return Town(today=today, lab=lab, late_accept=late_accept, late_complete=late_complete)


def by_kind(found) -> dict[str, list[tuple[str, int, str]]]:
    """kind → [(who must act, count, region)] in the list's order."""
    out: dict[str, list[tuple[str, int, str]]] = {}
    for row in found.rows:
        out.setdefault(row.kind, []).append((row.actor, row.count, row.region))
    return out


CITY_COUNTS = {
    K.OVERDUE_INSTRUMENTS: 3,
    K.FAILED_UNRESOLVED: 0,
    K.STANDARD_EXPIRING: 3,
    K.QUALIFICATION_EXPIRING: 2,
    K.REQUEST_LATE: 2,
    K.RECALL: 2,
    K.RESULTS_UNPUBLISHED: 0,
    K.RECTIFICATION_OVERDUE: 0,
    "total": 12,
}
COUNTY_A_COUNTS = {
    K.OVERDUE_INSTRUMENTS: 2,
    K.FAILED_UNRESOLVED: 0,
    K.STANDARD_EXPIRING: 1,
    K.QUALIFICATION_EXPIRING: 1,
    K.REQUEST_LATE: 1,
    K.RECALL: 2,
    K.RESULTS_UNPUBLISHED: 0,
    K.RECTIFICATION_OVERDUE: 0,
    "total": 7,
}


# ---- each kind, with who must act --------------------------------------------------------------------------------


def test_the_city_regulator_sees_every_kind_with_its_count_and_who_must_act(city, town):
    found = warnings_for(city.city_regulator)
    kinds = by_kind(found)
    assert sorted(kinds[K.OVERDUE_INSTRUMENTS]) == [("乙县加油站", 1, "乙县"), ("甲县农贸市场", 2, "甲县")]
    assert sorted(kinds[K.STANDARD_EXPIRING]) == [
        ("市计量测试所", 1, "阜新市"),
        ("市计量测试所", 1, "阜新市"),
        ("甲县计量检定所", 1, "甲县"),
    ]
    assert kinds[K.QUALIFICATION_EXPIRING] == [("市计量测试所", 1, "阜新市"), ("甲县计量检定所", 1, "甲县")]
    assert sorted(kinds[K.REQUEST_LATE]) == [("市计量测试所", 1, "甲县"), ("甲县计量检定所", 1, "乙县")]
    assert kinds[K.RECALL] == [("甲县计量检定所", 2, "甲县")]
    assert found.counts == CITY_COUNTS


def test_the_counts_on_their_own_equal_the_list_and_the_admin_sees_the_whole_city(city, town):
    assert warning_counts(city.city_regulator) == CITY_COUNTS
    assert warning_counts(city.admin) == CITY_COUNTS
    assert warnings_for(city.admin).counts == CITY_COUNTS


def test_overdue_rows_link_to_the_owners_overdue_instruments(city, town):
    rows = [r for r in warnings_for(city.city_regulator).rows if r.kind == K.OVERDUE_INSTRUMENTS]
    owner_a = next(r for r in rows if r.actor == "甲县农贸市场")
    assert owner_a.url == f"{reverse('instruments:list')}?owner={city.owner_a.pk}&due_state=overdue"
    assert owner_a.actor_role == "使用单位"
    assert owner_a.due == Instrument.objects.get(serial_number="A-OVER-1").due_on  # the earliest due date


def test_standard_rows_name_the_assessment_certificate_and_the_equipment_and_link_to_the_standard(city, town):
    rows = [r for r in warnings_for(city.city_regulator).rows if r.kind == K.STANDARD_EXPIRING]
    city_standard = town.lab.city_standard
    mine = [r for r in rows if r.url == reverse("standards:detail", args=[city_standard.pk])]
    assert sorted(r.due for r in mine) == [town.today + timedelta(days=30), town.today + timedelta(days=60)]
    assert any("考核证书" in r.what for r in mine) and any("1 台标准设备" in r.what for r in mine)
    assert {r.actor_role for r in rows} == {"建标单位"}


def test_a_piece_of_equipment_recalibrated_since_is_no_warning(city, town):
    from jiliang.standards.models import EquipmentCertificate

    EquipmentCertificate.objects.create(
        equipment=town.lab.equipment_2,
        issuer_authority=town.lab.province,
        number="ZL-2026-NEW",
        issued_on=town.today,
        valid_until=town.today + timedelta(days=365),
    )
    assert warning_counts(city.city_regulator)[K.STANDARD_EXPIRING] == 2


def test_staff_who_have_left_and_far_off_expiries_are_no_warning(city, town):
    rows = [r for r in warnings_for(city.city_regulator).rows if r.kind == K.QUALIFICATION_EXPIRING]
    text = " ".join(r.what for r in rows)
    assert "王检定" in text and "李计量" in text
    assert "赵离职" not in text and "钱长期" not in text
    assert {r.actor_role for r in rows} == {"所在单位"}
    assert rows[0].url.startswith("/people/")


def test_late_requests_say_which_limit_and_link_to_the_request(city, town):
    rows = {r.url: r for r in warnings_for(city.city_regulator).rows if r.kind == K.REQUEST_LATE}
    accept = rows[reverse("requests:detail", args=[town.late_accept.pk])]
    complete = rows[reverse("requests:detail", args=[town.late_complete.pk])]
    assert "受理时限" in accept.what and accept.due == town.today - timedelta(days=2)
    assert "办结时限" in complete.what and complete.due == town.today - timedelta(days=1)
    assert accept.actor_role == complete.actor_role == "承办机构"


def test_a_suspended_standard_recalls_what_it_issued_since_its_last_good_calibration(city, town):
    (row,) = [r for r in warnings_for(city.city_regulator).rows if r.kind == K.RECALL]
    start = town.today - timedelta(days=100)  # KS-001's equipment was last certified then
    assert row.count == 2  # used at T−50 and T−20; the use at T−150 was before
    assert row.due == town.today  # suspended today (the audit event)
    base = reverse("recall:reverse", args=[town.lab.county_standard.pk])
    assert row.url == f"{base}?date_from={start.isoformat()}&date_to={town.today.isoformat()}"


def test_a_standard_back_in_use_has_nothing_to_recall(city, town):
    standard_set_status(
        actor=town.lab.county_institute_user, standard_id=town.lab.county_standard.pk, status=Standard.Status.ACTIVE
    )
    assert warning_counts(city.city_regulator)[K.RECALL] == 0


def test_the_recall_window_starts_at_the_oldest_last_good_calibration_before_the_suspension():
    standard = Standard(certificate_issued_on=date(2022, 1, 1))
    day = date(2025, 6, 1)
    certificates = {
        1: [date(2024, 1, 10), date(2025, 1, 10), date(2025, 7, 1)],  # recalibrated after the suspension
        2: [date(2024, 9, 1)],
    }
    assert recall_window_start(standard, certificates, day) == date(2024, 9, 1)
    # A piece with no certificate by then, or no equipment at all: from the assessment certificate.
    assert recall_window_start(standard, {**certificates, 3: [date(2025, 8, 1)]}, day) == date(2022, 1, 1)
    assert recall_window_start(standard, {}, day) == date(2022, 1, 1)


def test_the_warning_window_is_a_setting_read_at_call_time(city, town, settings):
    settings.JILIANG_WARNING_DAYS = 20
    counts = warning_counts(city.city_regulator)
    assert counts[K.QUALIFICATION_EXPIRING] == 1  # 王检定 (T+10); 李计量 (T+45) is further off
    assert counts[K.STANDARD_EXPIRING] == 0
    assert warnings_for(city.city_regulator).days == 20


# ---- filters -----------------------------------------------------------------------------------------------------


def test_the_county_filter_keeps_the_records_of_that_county(city, town):
    found = warnings_for(city.city_regulator, county=city.county_a.pk)
    assert found.counts == COUNTY_A_COUNTS
    assert {r.region for r in found.rows} == {"甲县"}
    assert "乙县加油站" not in {r.actor for r in found.rows}


def test_the_kind_filter_keeps_the_rows_of_that_kind_and_every_count(city, town):
    found = warnings_for(city.city_regulator, kind=K.REQUEST_LATE)
    assert {r.kind for r in found.rows} == {K.REQUEST_LATE}
    assert len(found.rows) == 2
    assert found.counts == CITY_COUNTS


def test_an_unknown_kind_is_refused(city, town):
    with pytest.raises(ValueError):
        warnings_for(city.city_regulator, kind="nonsense")


# ---- scoping -----------------------------------------------------------------------------------------------------


def test_the_county_a_regulator_never_sees_county_b(city, town):
    found = warnings_for(city.county_regulator_a)
    assert found.counts == COUNTY_A_COUNTS
    assert "乙县加油站" not in {r.actor for r in found.rows}
    assert "乙县" not in {r.region for r in found.rows}
    # Asking for county B gives nothing, neither rows nor counts.
    other = warnings_for(city.county_regulator_a, county=city.county_b.pk)
    assert other.rows == [] and other.counts["total"] == 0
    assert warning_counts(city.county_regulator_a) == COUNTY_A_COUNTS


def test_the_county_b_regulator_sees_its_overdue_owner_and_its_late_request(city, town):
    kinds = by_kind(warnings_for(city.county_regulator_b))
    assert kinds == {
        K.OVERDUE_INSTRUMENTS: [("乙县加油站", 1, "乙县")],
        K.REQUEST_LATE: [("甲县计量检定所", 1, "乙县")],
    }


def test_an_owner_sees_only_its_own_overdue_instruments(city, town):
    found = warnings_for(city.owner_a_user)
    assert by_kind(found) == {K.OVERDUE_INSTRUMENTS: [("甲县农贸市场", 2, "甲县")]}
    assert found.counts == {K.OVERDUE_INSTRUMENTS: 2, K.FAILED_UNRESOLVED: 0, K.RECTIFICATION_OVERDUE: 0, "total": 2}
    assert warning_counts(city.owner_b_user) == {
        K.OVERDUE_INSTRUMENTS: 1,
        K.FAILED_UNRESOLVED: 0,
        K.RECTIFICATION_OVERDUE: 0,
        "total": 1,
    }


def test_an_institute_sees_its_own_standards_staff_routed_requests_and_recalls(city, town):
    found = warnings_for(city.institute_user)
    assert {actor for rows in by_kind(found).values() for actor, _n, _r in rows} == {"市计量测试所"}
    assert found.counts == {
        K.STANDARD_EXPIRING: 2,
        K.QUALIFICATION_EXPIRING: 1,
        K.REQUEST_LATE: 1,
        K.RECALL: 0,
        "total": 4,
    }
    county = warnings_for(town.lab.county_institute_user)
    assert county.counts == {
        K.STANDARD_EXPIRING: 1,
        K.QUALIFICATION_EXPIRING: 1,
        K.REQUEST_LATE: 1,
        K.RECALL: 2,
        "total": 5,
    }
    assert K.OVERDUE_INSTRUMENTS not in county.counts


def test_a_user_without_a_role_an_inactive_one_and_anonymous_see_nothing(city, town):
    # The database requires an organization of every non-admin; a user with no role, or an inactive one, is scoped
    # to nothing.
    no_role = UserFactory(username="no_role", role="", organization=city.owner_a)
    inactive = UserFactory(username="inactive", role=Role.REGULATOR, organization=city.city_bureau, is_active=False)
    for user in (no_role, inactive, None):
        found = warnings_for(user)
        assert found.rows == [] and found.counts == {"total": 0}
        assert warning_counts(user) == {"total": 0}


def test_the_home_count_of_overdue_instruments_comes_from_the_tally_not_the_registry(city, town):
    table = Instrument._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        counts = warning_counts(city.city_regulator)
    assert counts[K.OVERDUE_INSTRUMENTS] == 3
    # The failed instruments' count reads the registry on purpose, through its partial index (a handful of rows).
    assert not [q for q in queries.captured_queries if f'"{table}"' in q["sql"] and "stop_reason" not in q["sql"]]


# ---- the page and its export --------------------------------------------------------------------------------------


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("warnings:list"), params)


def test_anonymous_is_sent_to_login(client, city):
    for name in ("warnings:list", "warnings:export"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_page_shows_tiles_filters_and_rows_with_who_must_act(client, city, town):
    response = page(client, city.city_regulator)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="tile-overdue_instruments"' in body and 'data-testid="tile-recall"' in body
    assert 'id="f-county"' in body and 'id="f-kind"' in body
    assert "甲县农贸市场" in body and "乙县加油站" in body and "甲县计量检定所" in body
    assert "共 10 项" in body  # 2 owners, 3 standard rows, 2 qualifications, 2 requests, 1 recall


def test_the_page_filters_by_kind_and_county(client, city, town):
    body = page(client, city.city_regulator, kind=K.OVERDUE_INSTRUMENTS, county=city.county_b.pk).content.decode()
    assert "乙县加油站" in body and "甲县农贸市场" not in body
    assert "共 1 项" in body


def test_the_county_a_regulators_page_never_names_county_bs_owner(client, city, town):
    body = page(client, city.county_regulator_a).content.decode()
    assert "乙县加油站" not in body
    body = page(client, city.county_regulator_a, county=city.county_b.pk).content.decode()
    assert "县（区）无效" in body and "乙县加油站" not in body


def test_a_bad_kind_is_reported_not_ignored_silently(client, city, town):
    body = page(client, city.city_regulator, kind="nonsense").content.decode()
    assert "预警类别无效" in body


def test_a_user_without_a_role_gets_the_empty_state(client, city, town):
    no_role = UserFactory(username="no_role", role="", organization=city.owner_a)
    response = page(client, no_role)
    assert response.status_code == 200
    assert 'data-testid="warnings-empty"' in response.content.decode()


def test_the_export_opens_with_openpyxl_and_neutralises_formulas(client, city, town):
    city.owner_b.name = '=HYPERLINK("http://x")'
    city.owner_b.save(update_fields=["name"])
    client.force_login(city.city_regulator)
    response = client.get(reverse("warnings:export"), {"kind": K.OVERDUE_INSTRUMENTS})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][:6] == ("预警类别", "事项", "县（区）", "数量", "责任单位", "责任类型")
    actors = sorted(row[4] for row in rows[2:])
    assert actors == ['\'=HYPERLINK("http://x")', "甲县农贸市场"]
    assert all(row[7].startswith("http://testserver/instruments/?owner=") for row in rows[2:])


def test_the_owners_export_holds_only_its_own_rows(client, city, town):
    client.force_login(city.owner_a_user)
    response = client.get(reverse("warnings:export"))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert [row[4] for row in rows[2:]] == ["甲县农贸市场"]


# ---- the home pages ------------------------------------------------------------------------------------------------


def test_the_regulators_home_shows_the_warning_tiles_linking_to_the_list(client, city, town):
    client.force_login(city.county_regulator_a)
    body = client.get(reverse("home")).content.decode()
    assert 'id="warning-tiles"' in body
    assert f'href="{reverse("warnings:list")}?kind=recall"' in body
    assert "共 7 项待处理" in body


def test_the_institutes_home_shows_its_warning_tiles(client, city, town):
    client.force_login(city.institute_user)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="warning-standard_expiring"' in body
    assert 'data-testid="warning-overdue_instruments"' not in body
    assert "共 4 项待处理" in body
