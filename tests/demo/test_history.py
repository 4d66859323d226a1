"""A year of one-window history in the demo city, made through the real services."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from jiliang.core.models import Organization, User
from jiliang.demo import city, history
from jiliang.instruments import tally
from jiliang.instruments.models import Instrument
from jiliang.instruments.services import derive
from jiliang.metrology import fees
from jiliang.people.selectors import verifier_qualified
from jiliang.standards.models import Authorization, Standard
from jiliang.standards.selectors.standards import authorization_in_force_q, standard_validity, with_validity_data
from jiliang.verification.models import (
    Certificate,
    CertificateRevocation,
    RecordDraft,
    RequestItem,
    ServiceRequest,
    StandardUse,
    VerificationRecord,
)
from jiliang.verification.selectors import requests as request_selectors
from jiliang.verification.selectors.records import latest_valid_verification
from jiliang.verification.selectors.request_clock import clock_of

from .conftest import FAST_HASHER, TODAY
from .conftest import build_demo as _build
from .conftest import wipe_demo as _wipe

Status = ServiceRequest.Status


pytestmark = pytest.mark.django_db


def test_requests_end_in_every_state_some_late(demo):
    states = Counter(ServiceRequest.objects.values_list("status", flat=True))
    assert set(states) == set(Status.values), states
    assert states[Status.COMPLETED] > states[Status.SUBMITTED]
    assert demo.requests == {s: states.get(s, 0) for s in Status.values}
    assert 40 <= sum(states.values()) <= history.MAX_REQUESTS
    late = [r for r in ServiceRequest.objects.all() if clock_of(r, TODAY).late]
    assert late and demo.late == len(late)
    assert ServiceRequest.objects.filter(status=Status.REJECTED).exclude(reason="").count() == states[Status.REJECTED]
    # Owners across counties.
    assert ServiceRequest.objects.values("region").distinct().count() >= 4


def test_requests_are_stamped_on_the_days_they_happened(demo):
    first = TODAY - timedelta(days=history.HISTORY_DAYS)
    # The recent year, and Fuxin's plan period (2015–2020, jiliang.demo.history.past).
    for request in ServiceRequest.objects.prefetch_related("events"):
        submitted = timezone.localdate(request.submitted_at)
        in_plan_period = date(2015, 1, 1) <= submitted <= date(2020, 12, 31) and request.region.code[:4] == "2109"
        assert first <= submitted <= TODAY or in_plan_period, request.number
        assert request.number.startswith(f"SQ-{submitted.year}-")
        moments = [e.at for e in request.events.all()]
        assert moments == sorted(moments) and moments[0] == request.submitted_at
        assert timezone.localdate(moments[-1]) <= TODAY
        assert request.events.last().to_status == request.status
    numbers = list(ServiceRequest.objects.order_by("submitted_at").values_list("number", flat=True))
    by_year: dict[str, list[str]] = {}
    for number in numbers:
        by_year.setdefault(number[3:7], []).append(number)
    assert all(found == sorted(found) for found in by_year.values())


def test_certificates_of_every_kind_some_superseded_and_revoked(demo):
    kinds = Counter(Certificate.objects.values_list("kind", flat=True))
    assert set(kinds) == set(Certificate.Kind.values), kinds
    assert kinds[Certificate.Kind.VERIFICATION] > kinds[Certificate.Kind.FAILURE_NOTICE]
    assert demo.certificates == dict(kinds)
    superseded = Certificate.objects.filter(supersedes__isnull=False).select_related("supersedes", "record")
    assert superseded.exists() and demo.superseded == superseded.count()
    for certificate in superseded:
        assert certificate.record.corrects_id == certificate.supersedes.record_id
        assert certificate.issued_on >= certificate.supersedes.issued_on
    revoked = CertificateRevocation.objects.select_related("certificate")
    assert 1 <= revoked.count() <= 2 and demo.revoked == revoked.count()
    assert all(r.reason for r in revoked)
    for certificate in Certificate.objects.filter(kind=Certificate.Kind.CALIBRATION).select_related("record"):
        assert certificate.record.expanded_uncertainty and certificate.record.coverage_factor == Decimal("2")
    for certificate in Certificate.objects.filter(kind=Certificate.Kind.FAILURE_NOTICE).select_related("record"):
        assert certificate.record.points.filter(passed=False).exists()
        assert certificate.valid_until is None


def test_mandatory_verification_is_free_for_every_owner_and_calibration_is_charged(demo):
    # The demo's year is after 2017-04-01: mandatory verification is free for every owner (财税〔2017〕20号), the
    # market fairs and clinics of the Fuxin plan's waiver as much as a petrol station; nothing is left to waive.
    mandatory = RequestItem.objects.filter(request__service="verification", instrument__mandatory=True)
    since = timezone.make_aware(datetime.combine(fees.FREE_FROM, time.min))
    free = mandatory.filter(request__submitted_at__gte=since)
    categories = set(free.values_list("request__owner__category", flat=True))
    assert Organization.Category.MARKET_FAIR in categories and Organization.Category.PETROL_STATION in categories
    assert set(free.values_list("fee", "waived", "waiver_reason")) == {(0, 0, fees.FREE_REASON)}
    # Fuxin's plan period before 1 April 2017 (jiliang.demo.history.past): the rule of its own day, not that one.
    assert fees.FREE_REASON not in set(
        mandatory.filter(request__submitted_at__lt=since).values_list("waiver_reason", flat=True)
    )
    assert demo.waived == 0
    charged = RequestItem.objects.filter(request__service="calibration")
    assert charged.filter(fee__gt=0).exists() and not charged.filter(waived__gt=0).exists()


def test_every_record_passes_the_rules_again_on_its_own_date(demo):
    records = VerificationRecord.objects.filter(source=VerificationRecord.Source.PLATFORM).select_related(
        "instrument__catalog_item", "verifier", "checker", "approver", "institute"
    )
    assert records.count() == Certificate.objects.count()
    for record in records:
        day, item = record.performed_on, record.instrument.catalog_item
        assert day <= TODAY
        assert len({record.verifier_id, record.checker_id, record.approver_id}) == 3
        assert {record.verifier.organization_id, record.checker.organization_id, record.approver.organization_id} == {
            record.institute_id
        }
        assert verifier_qualified(record.verifier, item, day), record.pk
        assert Authorization.objects.filter(
            authorization_in_force_q(day), institute=record.institute_id, catalog_items=item
        ).exists()
        uses = list(StandardUse.objects.filter(record=record).values_list("standard_id", flat=True))
        assert uses
        for standard in with_validity_data(
            Standard.objects.filter(pk__in=uses, holder_id=record.institute_id).prefetch_related("catalog_items")
        ):
            assert standard_validity(standard, day).valid, (record.pk, standard.pk)
            assert item in standard.catalog_items.all()
        if record.request_item_id:
            assert record.request_item.request.institute_id == record.institute_id


def test_instruments_follow_their_latest_valid_verification_and_the_tally_is_in_step(demo):
    touched = Instrument.objects.filter(
        pk__in=VerificationRecord.objects.filter(source=VerificationRecord.Source.PLATFORM).values("instrument_id")
    ).select_related("catalog_item", "last_verification")
    assert touched.exists()
    moved = 0
    for instrument in touched:
        latest = latest_valid_verification(instrument.pk)
        assert instrument.last_verification_id == (latest.pk if latest else None), instrument.pk
        stored = (instrument.mandatory, instrument.due_on)
        derive(instrument, instrument.catalog_item)
        assert (instrument.mandatory, instrument.due_on) == stored
        moved += instrument.last_verification is not None and instrument.last_verification.source == "platform"
    assert moved > 0
    assert tally.differences() == {}


def test_demo_owners_and_demo_institutes_have_history_to_look_at(demo):
    for key in ("yanan", "fuxin"):
        printed = {
            User.objects.get(username=f"{key}_{clerk}").organization_id for clerk in ("institute", "county_institute")
        }
        for owner_key, _category in city.DEMO_OWNERS:
            owner = User.objects.get(username=f"{key}_{owner_key}")
            mine = ServiceRequest.objects.filter(owner=owner.organization_id)
            assert mine.filter(status=Status.SUBMITTED).exists(), (key, owner_key)
            # Every request of a demo owner is in the inbox of an institute whose clerk the demo prints.
            assert set(mine.values_list("institute_id", flat=True)) <= printed, (key, owner_key)
    owner = User.objects.get(username="yanan_market")
    mine = ServiceRequest.objects.filter(owner=owner.organization_id)
    assert mine.filter(status=Status.SUBMITTED).exists()
    assert mine.filter(status=Status.IN_WORK).exists()
    done = [r for r in mine.filter(status=Status.COMPLETED)]
    kinds = [
        set(Certificate.objects.filter(record__request_item__request=r).values_list("kind", flat=True)) for r in done
    ]
    assert {Certificate.Kind.VERIFICATION, Certificate.Kind.FAILURE_NOTICE} in kinds
    for username in ("yanan_institute", "yanan_county_institute", "fuxin_institute", "fuxin_county_institute"):
        institute = User.objects.get(username=username)
        inbox = request_selectors.requests_visible_to(institute).filter(status=Status.SUBMITTED)
        assert inbox.count() >= 3, username
        assert set(inbox.values_list("institute_id", flat=True)) == {institute.organization_id}


def test_same_seed_and_day_give_the_same_history(demo):
    first_history, first_city = history.history_digest(), city.city_digest()
    counts = (ServiceRequest.objects.count(), Certificate.objects.count())
    _wipe()
    assert not ServiceRequest.objects.exists()
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        again = _build()
    assert (ServiceRequest.objects.count(), Certificate.objects.count()) == counts
    assert history.history_digest() == first_history
    assert city.city_digest() == first_city
    assert again == demo


def test_seed_city_builds_the_history_and_prints_the_summary(demo):
    _wipe()
    out = io.StringIO()
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        call_command("seed_city", "--seed", "2", "--instruments", "300", "--today", "2026-06-15", stdout=out)
    text = out.getvalue()
    assert ServiceRequest.objects.exists()
    summary = history.summary(today=TODAY)
    line = next(line for line in text.splitlines() if line.startswith("已生成检定业务"))
    assert f"服务申请 {sum(summary.requests.values())} 件" in line
    assert f"检定证书 {summary.certificates['verification']} 份" in line
    assert f"减免检定费 {summary.waived:.2f} 元" in line


def test_seed_city_without_history(demo):
    _wipe()
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        call_command("seed_city", "--instruments", "100", "--today", "2026-06-15", "--no-history", stdout=io.StringIO())
    assert Instrument.objects.count() == 100
    assert not ServiceRequest.objects.exists()
    # Fuxin's plan (2015–2020) has ended: its year ends are snapshotted too, Yan'an's (to 2035) not.
    from jiliang.core.models import Region
    from jiliang.demo.management.commands.seed_city import snapshot_days
    from jiliang.indicators.models import Snapshot

    fuxin = Region.objects.get(code="210900")
    years = {date(y, 12, 31) for y in range(2015, 2021)}
    assert years <= set(snapshot_days(fuxin, TODAY))
    assert years <= set(Snapshot.objects.filter(region=fuxin).values_list("day", flat=True))
    assert not years & set(snapshot_days(Region.objects.get(code="610600"), TODAY))


def test_seed_city_says_so_when_the_calendar_does_not_cover_the_year(demo):
    _wipe()
    out = io.StringIO()
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        call_command("seed_city", "--instruments", "50", "--today", "2031-06-15", stdout=out)
    assert Instrument.objects.count() == 50
    assert not ServiceRequest.objects.exists()
    assert "工作日历缺少" in out.getvalue()


def test_the_planners_routing_is_the_one_windows(demo):
    from jiliang.core.models import Region
    from jiliang.standards.selectors.standards import authorized_institutes

    world = history._World()
    items = list(world.items)[:: max(1, len(world.items) // 12)]
    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    for day in (TODAY - timedelta(days=300), TODAY - timedelta(days=100), TODAY):
        for region in counties:
            for item_id in items:
                expected = [o.pk for o in authorized_institutes(item_id, region.pk, day)]
                assert world.route(item_id, region.pk, day) == expected, (item_id, region.code, day)


@pytest.mark.parametrize("prefix", ["yanan_", "fuxin_"])
def test_the_demo_city_institute_has_three_signers_with_demo_logins_who_signed_together(demo, prefix):
    roles = ("verifier", "checker", "approver")
    with override_settings(PASSWORD_HASHERS=FAST_HASHER):
        out = io.StringIO()
        call_command("demo_logins", stdout=out)
        printed = {line.split()[1] for line in out.getvalue().splitlines() if line.strip() and line[0] != "#"}
        assert {prefix + r for r in roles} <= printed
        users = {name: User.objects.get(username=prefix + name) for name in roles}
        for user in users.values():
            assert user.check_password(city.DEMO_PASSWORD)
    institute = User.objects.get(username=prefix + "institute").organization
    people = [users[name].person for name in roles]
    assert len({p.pk for p in people}) == 3 and all(p.organization == institute for p in people)
    # They signed records together in the history, in those roles.
    assert RecordDraft.objects.filter(
        verifier=people[0], checker=people[1], approver=people[2], status="approved"
    ).exists()
