"""What a metrologist checks before signing, walked over every record and certificate of the demo's seeded history:
each point within the instrument's measuring range and named for its value, the record's procedure (the catalog
item's regulation), and no moment after the demo's clock or before what must come first (filed ≤ accepted ≤
scheduled ≤ verified ≤ signed ≤ issued; the instrument registered before it is filed for)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jiliang.core.clock import local_date
from jiliang.core.models import Region
from jiliang.indicators.models import Evaluation, Indicator
from jiliang.indicators.selectors.definitions import indicator_figures
from jiliang.indicators.services.evaluations import evaluation_create
from jiliang.indicators.services.plans import snapshot_take
from jiliang.instruments.models import Instrument
from jiliang.metrology.verification import parse_range
from jiliang.notices.models import Notification, OwnerNotice
from jiliang.verification.models import (
    Certificate,
    CertificateRevocation,
    RecordDraft,
    RecordDraftEvent,
    RequestEvent,
    RequestItem,
    ServiceRequest,
    StandardUse,
    VerificationRecord,
)

from ..builders.demo import point_problems
from .conftest import TODAY

pytestmark = pytest.mark.django_db

# Price scales, platform and truck scales, analogue scales (catalog items 02, 03, 04).
SCALES = ("02", "03", "04")

# The demo is built on its day at any hour, with the day's date only: everything in it happened before that day
# began (which is also before the end of the day), so that nothing shows as done later than the demo's clock.
START_OF_DAY = timezone.make_aware(datetime.combine(TODAY, time.min))


def _records():
    return (
        VerificationRecord.objects.filter(source=VerificationRecord.Source.PLATFORM)
        .select_related("instrument__catalog_item", "procedure", "request_item__request")
        .prefetch_related("points", "certificates__revocation")
        .order_by("pk")
    )


def test_every_point_within_the_range_and_named_for_its_value(demo):
    problems, ranged, scales = [], 0, 0
    for record in _records():
        for point in record.points.all():
            problems += point_problems(point.label, point.reference, record.unit, record.instrument.measuring_range)
        span = parse_range(record.instrument.measuring_range)
        ranged += span is not None and span.unit == record.unit
        scales += record.instrument.catalog_item.code in SCALES
    assert not problems, "\n".join(problems[:20])
    # Not vacuous: records with a range their points were checked against, scales among them.
    assert ranged >= 10 and scales >= 3, (ranged, scales)


def test_every_record_names_the_procedure_of_its_catalog_item(demo):
    records = list(_records())
    assert records
    missing = [r.pk for r in records if r.procedure is None]
    assert not missing, f"{len(missing)} of {len(records)} records without a procedure"
    for record in records:
        own = record.instrument.catalog_item.procedure.strip()
        assert record.procedure.code.split("-")[0].strip() == own, (record.pk, record.procedure.code, own)
        for certificate in record.certificates.all():
            assert certificate.document.get("procedure"), certificate.number


def _stamp(value) -> datetime:
    """A date as the start of its day, a moment as itself, to compare the two."""
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def _in_order(label: str, *moments) -> list[str]:
    present = [m for m in moments if m is not None]
    # A date (the verification date, the appointment) is compared with the day of a moment.
    days = [local_date(m) if isinstance(m, datetime) else m for m in present]
    if days != sorted(days):
        return [f"{label}: out of order {days}"]
    return []


def test_no_moment_after_the_demo_clock(demo):
    late = []
    history = {
        ServiceRequest: ("submitted_at", "accepted_at", "started_at", "completed_at", "closed_at"),
        RequestEvent: ("at",),
        RecordDraft: ("created_at", "updated_at", "submitted_at", "returned_at", "checked_at", "approved_at"),
        RecordDraftEvent: ("at",),
        VerificationRecord: ("performed_on", "verified_at", "checked_at", "approved_at"),
        Certificate: ("issued_on", "issued_at"),
        CertificateRevocation: ("revoked_at",),
        Notification: ("created_at", "concerns_on"),
        OwnerNotice: ("created_at",),
    }
    # The owners were told (the notices' receivers), so their notices' times are checked too.
    assert Notification.objects.exists() and OwnerNotice.objects.exists()
    for model, fields in history.items():
        rows = model.objects.all()
        if model is VerificationRecord:
            # The registry's declared verifications (the city's, before the platform) may be of the day itself.
            assert not rows.filter(performed_on__gt=TODAY).exists()
            rows = rows.filter(source=VerificationRecord.Source.PLATFORM)
        for row in rows.values("pk", *fields):
            for name in fields:
                if row[name] is not None and _stamp(row[name]) >= START_OF_DAY:
                    late.append(f"{model.__name__} {row['pk']}.{name} = {row[name]}")
    # An appointment (a date) is to come only for a request still waiting for it.
    waiting = ServiceRequest.Status.SCHEDULED
    for number, status, day in ServiceRequest.objects.exclude(scheduled_on=None).values_list(
        "number", "status", "scheduled_on"
    ):
        if day >= TODAY and status != waiting:
            late.append(f"{number} ({status}) scheduled on {day}")
    assert not late, "\n".join(late[:20])


def test_every_request_and_record_in_causal_order(demo):
    problems = []
    registered = dict(Instrument.objects.values_list("pk", "registered_on"))
    for item in RequestItem.objects.select_related("request"):
        request = item.request
        filed = local_date(request.submitted_at)
        if registered[item.instrument_id] > filed:
            problems.append(f"{request.number}: filed {filed}, instrument registered {registered[item.instrument_id]}")
    for request in ServiceRequest.objects.all():
        problems += _in_order(
            request.number,
            request.submitted_at,
            request.accepted_at,
            request.scheduled_on if request.accepted_at else None,
            request.started_at,
            request.completed_at,
        )
    for record in _records():
        request = record.request_item.request if record.request_item_id else None
        if record.corrects_id is None and request is not None:
            problems += _in_order(
                f"record {record.pk} of {request.number}",
                request.submitted_at,
                request.accepted_at,
                request.scheduled_on,
                request.started_at,
                record.performed_on,
                record.verified_at,
                record.checked_at,
                record.approved_at,
            )
            if request.completed_at is not None:
                problems += _in_order(f"{request.number} completed", record.approved_at, request.completed_at)
        problems += _in_order(f"record {record.pk}", record.performed_on, record.verified_at)
        for certificate in record.certificates.all():
            problems += _in_order(
                certificate.number,
                record.performed_on,
                record.approved_at,
                certificate.issued_at,
                certificate.issued_on,
            )
            revocation = getattr(certificate, "revocation", None)
            if revocation is not None:
                problems += _in_order(f"{certificate.number} revoked", certificate.issued_at, revocation.revoked_at)
    assert not problems, "\n".join(problems[:20])


# ---- Fuxin's plan period (2015–2020): the thin history of jiliang.demo.history.past -------------------------------

PLAN_FIRST, PLAN_LAST = date(2015, 1, 1), date(2020, 12, 31)
FUXIN = "210900"


def _in_plan_period():
    return Certificate.objects.filter(issued_on__range=(PLAN_FIRST, PLAN_LAST))


def test_fuxin_has_verifications_over_its_plan_period_and_no_other_city_has_a_past(demo):
    past = _in_plan_period()
    assert past.count() >= 3
    assert {code[:4] for code in past.values_list("instrument__region__code", flat=True)} == {FUXIN[:4]}
    # Verifications only, none failed (a failed one would stop the instrument today).
    assert set(past.values_list("kind", flat=True)) == {Certificate.Kind.VERIFICATION}
    assert set(past.values_list("record__conclusion", flat=True)) == {VerificationRecord.Conclusion.PASS}
    before = timezone.make_aware(datetime.combine(PLAN_LAST + timedelta(days=1), time.min))
    requests = ServiceRequest.objects.filter(submitted_at__lt=before)
    closed = {ServiceRequest.Status.COMPLETED, ServiceRequest.Status.REJECTED, ServiceRequest.Status.WITHDRAWN}
    assert requests.exists() and set(requests.values_list("status", flat=True)) <= closed
    assert {code[:4] for code in requests.values_list("region__code", flat=True)} == {FUXIN[:4]}
    # Nothing between the plan period and the recent year (Yan'an's plan runs: it has no past).
    assert not ServiceRequest.objects.filter(submitted_at__gte=before, submitted_at__year__lt=TODAY.year - 1).exists()
    result = demo.past["阜新市"]
    assert (result.requests, result.certificates) == (requests.count(), past.count())
    assert result.standards > 0 and result.authorizations > 0 and result.qualifications > 0


def test_the_plan_periods_records_are_history_and_leave_each_instrument_as_it_stands_today(demo):
    touched = Instrument.objects.filter(pk__in=_in_plan_period().values("instrument_id")).select_related(
        "last_verification"
    )
    assert touched.exists()
    for instrument in touched:
        # Verified again after the plan period (the registry's verification): still the one the instrument follows.
        assert instrument.last_verification is not None, instrument.pk
        assert instrument.last_verification.performed_on > PLAN_LAST, instrument.pk
        # Stopped only by a failed verification of the recent year, never by the plan period's (all passed).
        if instrument.status != Instrument.Status.IN_USE:
            assert VerificationRecord.objects.filter(
                instrument=instrument, conclusion=VerificationRecord.Conclusion.FAIL, performed_on__gt=PLAN_LAST
            ).exists(), instrument.pk


def test_the_plan_periods_records_use_the_standards_terms_of_their_day(demo):
    uses = StandardUse.objects.filter(record__performed_on__range=(PLAN_FIRST, PLAN_LAST)).select_related(
        "standard", "record"
    )
    assert uses.exists()
    for use in uses:
        standard, day = use.standard, use.record.performed_on
        # An earlier assessment term, a standard of its own: its code names the year the term began.
        assert standard.certificate_issued_on <= day <= standard.certificate_valid_until, use.pk
        assert standard.code.endswith(f"-{standard.certificate_issued_on.year}"), standard.code
        assert standard.certificate_valid_until < TODAY


def test_fuxins_final_evaluation_quotes_real_figures(demo):
    fuxin = Region.objects.get(code=FUXIN)
    snapshot_take(day=PLAN_LAST, city=fuxin)
    final = evaluation_create(actor=None, kind=Evaluation.Kind.FINAL, day=PLAN_LAST, city=fuxin)
    figures = {i["code"]: i for i in final.figures["plans"][0]["indicators"]}
    verified = figures["verified-rate"]
    assert verified["numerator"] > 0 and Decimal(verified["value"]) > 0, verified
    for code in ("public-standards-city", "items-offered"):
        assert Decimal(figures[code]["value"]) > 0, figures[code]
    # The mid-term's day: the standards of the time were in force then too.
    standards_2016 = indicator_figures(
        Indicator.objects.get(plan__code="fuxin-2015", code="public-standards-city"),
        city=fuxin,
        counties=list(Region.objects.filter(parent=fuxin, level=Region.Level.COUNTY)),
        day=date(2016, 12, 31),
    )[fuxin.pk]
    assert standards_2016.value is not None and standards_2016.value > 0
