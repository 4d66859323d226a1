"""The verification workbench (``bench``), on top of the ``city`` personas and the standards ``lab``:

- the city institute (short code CSJL) authorized by the city bureau for catalog item 02 (price scales);
- its staff: a verifier (王检定), a checker (李核验) and an approver (张批准), each qualified for item 02 and each with
  a login of their own, and an unqualified person (赵新人) with a login too;
- its valid standard ``lab.city_standard`` (covers item 02) and an expired one (``expired_standard``);
- two price scales of owner A (a market fair in county A), overdue, in an accepted request routed to the institute.

``issue_certificate(bench, ...)`` records a verification through the three acts (the verifier saves and submits, the
checker checks, the approver approves, each by their own login) and returns the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from jiliang.core.models import Role, User
from jiliang.instruments.models import Instrument
from jiliang.people.models import Person, Qualification
from jiliang.standards.models import Authorization, Standard
from jiliang.verification.models import Certificate, RequestItem, ServiceRequest
from tests.factories import InstrumentFactory, UserFactory, catalog_item

from .standards import Lab, make_equipment, make_standard


@dataclass
class Bench:
    lab: Lab
    today: date
    institute_user: User
    verifier: Person
    checker: Person
    approver: Person
    novice: Person
    standard: Standard
    expired_standard: Standard
    authorization: Authorization
    instruments: list[Instrument]
    request: ServiceRequest
    items: list[RequestItem] = field(default_factory=list)


PASSING_POINTS = [
    {"label": "1 kg", "reference": "1.000", "indicated": "1.001", "mpe": "0.005"},
    {"label": "10 kg", "reference": "10.000", "indicated": "10.004", "mpe": "0.010"},
]
FAILING_POINTS = [
    {"label": "1 kg", "reference": "1.000", "indicated": "1.001", "mpe": "0.005"},
    {"label": "10 kg", "reference": "10.000", "indicated": "10.020", "mpe": "0.010"},
]


def make_request(owner_user: User, institute, instruments: list[Instrument], *, status=ServiceRequest.Status.ACCEPTED):
    """A request routed to ``institute`` in ``status``, built directly (the request services are tested apart)."""
    now = timezone.now()
    owner = instruments[0].owner
    request = ServiceRequest.objects.create(
        number=f"SQ-TEST-{ServiceRequest.objects.count() + 1:06d}",
        owner=owner,
        region=owner.region,
        institute=institute,
        service="verification",
        place=ServiceRequest.Place.SEND_IN,
        status=status,
        # Accepted a month ago, so records may be dated up to a month back (none before the acceptance).
        submitted_at=now - timedelta(days=32),
        accepted_at=now - timedelta(days=31),
        accept_by=timezone.localdate() + timedelta(days=5),
        complete_by=timezone.localdate() + timedelta(days=20),
        created_by=owner_user,
    )
    items = [RequestItem.objects.create(request=request, instrument=i) for i in instruments]
    return request, items


@dataclass
class Staffed:
    verifier: Person
    checker: Person
    approver: Person
    novice: Person
    expired_standard: Standard
    authorization: Authorization


def staff_institute(city, lab: Lab) -> Staffed:
    """Give the city institute (short code CSJL) an authorization for item 02, four staff (three qualified for
    item 02, 赵新人 not) and an expired standard beside the lab's valid one."""
    today = lab.today
    institute = city.institute
    institute.short_code = "CSJL"
    institute.save(update_fields=["short_code"])
    item = catalog_item("02")
    authorization = Authorization.objects.create(
        institute=institute,
        issued_by=city.city_bureau,
        number="(辽)法计(2024)21001号",
        valid_from=today - timedelta(days=400),
        valid_until=today + timedelta(days=1000),
    )
    authorization.catalog_items.add(item)

    def person(name: str, login: str, title=Person.Title.INTERMEDIATE) -> Person:
        user = UserFactory(username=login, role=Role.INSTITUTE, organization=institute)
        return Person.objects.create(
            organization=institute, name=name, title=title, hired_on=date(2015, 3, 1), user=user
        )

    verifier = person("王检定", "csjl_wang")
    checker = person("李核验", "csjl_li", Person.Title.SENIOR)
    approver = person("张批准", "csjl_zhang", Person.Title.SENIOR)
    novice = person("赵新人", "csjl_zhao", Person.Title.JUNIOR)
    for n, who in enumerate((verifier, checker, approver), start=1):
        qualify(who, item, number=f"JDY-2023-{n:04d}", today=today)
    expired = make_standard(
        institute,
        code="CS-002",
        level=Standard.Level.CITY,
        today=today,
        name="电子秤检定装置（旧）",
        certificate_number="[2019]CS-002",
        certificate_issued_on=today - timedelta(days=1600),
        certificate_valid_until=today - timedelta(days=60),
    )
    expired.catalog_items.add(item)
    make_equipment(expired, name="M1等级砝码组", serial="W-900", issuer=lab.province, today=today, number="ZL-2025-900")
    return Staffed(verifier, checker, approver, novice, expired, authorization)


def qualify(person: Person, item, *, number: str, today: date, days_left: int = 1000) -> Qualification:
    """A verifier qualification for ``item``, issued 700 days before ``today`` and valid ``days_left`` more."""
    qualification = Qualification.objects.create(
        person=person,
        kind=Qualification.Kind.VERIFIER,
        number=number,
        issued_on=today - timedelta(days=700),
        valid_until=today + timedelta(days=days_left),
    )
    qualification.catalog_items.add(item)
    return qualification


def overdue_scales(city, today: date, count: int = 2) -> list[Instrument]:
    """Price scales of owner A (a market fair in county A) last verified 400 days ago: overdue."""
    return [
        InstrumentFactory(
            owner=city.owner_a,
            serial_number=f"PS-{n}",
            catalog_item=catalog_item("02"),
            last_verified_on=today - timedelta(days=400),
        )
        for n in range(1, count + 1)
    ]


def build_bench(city, lab: Lab) -> Bench:
    """The workbench on top of the ``city`` personas and the ``lab``: see this module's docstring."""
    staffed = staff_institute(city, lab)
    instruments = overdue_scales(city, lab.today)
    request, items = make_request(city.owner_a_user, city.institute, instruments)
    return Bench(
        lab=lab,
        today=lab.today,
        institute_user=city.institute_user,
        verifier=staffed.verifier,
        checker=staffed.checker,
        approver=staffed.approver,
        novice=staffed.novice,
        standard=lab.city_standard,
        expired_standard=staffed.expired_standard,
        authorization=staffed.authorization,
        instruments=instruments,
        request=request,
        items=items,
    )


def record_values(bench: Bench, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "performed_on": bench.today,
        "standard_ids": [bench.standard.pk],
        "checker_id": bench.checker.pk,
        "approver_id": bench.approver.pk,
        "points": PASSING_POINTS,
        "unit": "kg",
        "resolution": "0.001",
        "place": "本所质量室",
        "temperature": "20.5 ℃",
        "humidity": "45 %RH",
    }
    values.update(overrides)
    return values


def sign_through(draft, checker: Person, approver: Person) -> Certificate:
    """Submit ``draft`` by its verifier, check it by ``checker`` and approve it by ``approver``, each by their own
    login; the certificate."""
    from jiliang.verification.services.drafts import draft_approve, draft_check, draft_submit

    draft_submit(actor=draft.verifier.user, draft_id=draft.pk)
    draft_check(actor=checker.user, draft_id=draft.pk)
    return draft_approve(actor=approver.user, draft_id=draft.pk)


def save_draft(bench: Bench, *, item: int = 0, verifier: Person | None = None, **overrides: Any):
    """A draft of a record for request item ``item``, saved by the verifier's own login (not submitted). A draft the
    verifier left open on that item (a submission refused) is saved over, as the verifier would correct it."""
    from jiliang.verification.models import RecordDraft
    from jiliang.verification.services.drafts import draft_save

    person = verifier or bench.verifier
    values = record_values(bench, **overrides)
    open_draft = RecordDraft.objects.filter(
        request_item=bench.items[item], verifier=person, status__in=["draft", "returned"]
    ).first()
    if open_draft is not None:
        return draft_save(actor=person.user, draft_id=open_draft.pk, **values)
    return draft_save(actor=person.user, request_item_id=bench.items[item].pk, **values)


def issue_certificate(bench: Bench, *, item: int = 0, passed: bool = True, **overrides: Any) -> Certificate:
    """Record, check and approve a verification of request item ``item`` by the bench's three people."""
    if not passed:
        overrides.setdefault("points", FAILING_POINTS)
    draft = save_draft(bench, item=item, **overrides)
    return sign_through(draft, bench.checker, bench.approver)


def correct_certificate(bench: Bench, certificate: Certificate, *, reason: str, **changes: Any) -> Certificate:
    """Correct ``certificate`` through the three acts (the bench's verifier starts the correction)."""
    from jiliang.verification.services.certificates import certificate_correct

    draft = certificate_correct(actor=bench.verifier.user, certificate_id=certificate.pk, reason=reason, **changes)
    return sign_through(draft, bench.checker, bench.approver)
