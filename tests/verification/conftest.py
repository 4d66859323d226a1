"""The verification tests' fixtures and helpers.

The workbench ``bench`` (and the ``lab`` under it) is shared with other directories: tests/conftest.py, built by
tests/builders/verification.py. Here:

- ``window``: the one window's instruments (owner A's overdue, due and valid scales, a fuel dispenser of owner B)
  and an institute of another city; ``submit`` sends a request through the service as owner A;
- ``make_certificate``: a record and its certificate written directly, for the recall's rows;
- ``export_signed`` and ``run_verify``: the signed JSON export and ``manage.py verify_certificate`` on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiliang.core.models import Organization, Role
from jiliang.instruments.models import Instrument
from jiliang.standards.models import Authorization
from jiliang.verification.formats import documents
from jiliang.verification.models import Certificate, ServiceRequest, StandardUse, VerificationRecord
from jiliang.verification.services import requests as svc
from tests.factories import InstrumentFactory, OrganizationFactory, UserFactory, catalog_item, credit_code

# ---- the one window ----------------------------------------------------------------------------------------------


@dataclass
class Window:
    today: object
    a1: Instrument
    a2: Instrument
    a_valid: Instrument
    a_other_use: Instrument
    b1: Instrument
    other_institute_user: object


def authorize(institute, issued_by, codes, today, number="(辽)法计(2024)21001号"):
    authorization = Authorization.objects.create(
        institute=institute,
        issued_by=issued_by,
        number=number,
        valid_from=today - timedelta(days=400),
        valid_until=today + timedelta(days=1000),
    )
    authorization.catalog_items.add(*[catalog_item(code) for code in codes])
    return authorization


@pytest.fixture
def window(city) -> Window:
    today = timezone.localdate()
    authorize(city.institute, city.city_bureau, ["02", "08"], today)
    overdue = today - timedelta(days=400)
    a1 = InstrumentFactory(owner=city.owner_a, serial_number="A-1", last_verified_on=overdue)
    a2 = InstrumentFactory(owner=city.owner_a, serial_number="A-2", last_verified_on=today - timedelta(days=350))
    a_valid = InstrumentFactory(owner=city.owner_a, serial_number="A-3", last_verified_on=today - timedelta(days=10))
    a_other_use = InstrumentFactory(owner=city.owner_a, serial_number="A-4", usage="other", last_verified_on=overdue)
    b1 = InstrumentFactory(
        owner=city.owner_b,
        serial_number="B-1",
        catalog_item=catalog_item("08"),
        name="燃油加油机",
        last_verified_on=overdue,
    )
    other = OrganizationFactory(
        name="外市计量所", kind=Organization.Kind.INSTITUTE, region=city.city, credit_code=credit_code()
    )
    other_user = UserFactory(username="other_institute", role=Role.INSTITUTE, organization=other)
    return Window(today, a1, a2, a_valid, a_other_use, b1, other_user)


OWNER_A = object()


def submit(city, instruments, user=OWNER_A, **kwargs):
    values = dict(service="verification", place=ServiceRequest.Place.SEND_IN, contact="王经理", phone="0418-1234567")
    values.update(kwargs)
    if "due_within_days" not in values:
        values["instrument_ids"] = [i.pk for i in instruments]
    return svc.request_submit(actor=city.owner_a_user if user is OWNER_A else user, **values)


# ---- certificates for the recall --------------------------------------------------------------------------------


_sequence = iter(range(1, 10**6))


def make_certificate(
    bench,
    standard,
    day,
    number,
    *,
    instrument=None,
    supersedes=None,
    standards=(),
    institute=None,
):
    """A record that used ``standard`` (and ``standards``) on ``day`` and its certificate, written directly (the
    service is tested in tests/verification; here only the rows matter). Issued by the city institute unless
    ``institute`` says otherwise."""
    instrument = instrument or bench.instruments[0]
    institute = institute or bench.lab.city_standard.holder
    record = VerificationRecord.objects.create(
        instrument=instrument,
        institute=institute,
        performed_on=day,
        conclusion=VerificationRecord.Conclusion.PASS,
        verifier=bench.verifier,
        checker=bench.checker,
        approver=bench.approver,
        corrects=supersedes.record if supersedes else None,
    )
    for s in (standard, *standards):
        StandardUse.objects.create(record=record, standard=s, performed_on=day)
    n = next(_sequence)
    return Certificate.objects.create(
        number=number,
        kind=Certificate.Kind.VERIFICATION,
        record=record,
        institute=institute,
        owner=instrument.owner,
        region=instrument.region,
        instrument=instrument,
        year=day.year,
        sequence=n,
        issued_on=day,
        valid_until=day + timedelta(days=365),
        token=f"token-{n:06d}",
        supersedes=supersedes,
        document={"number": number},
        signature="sig",
        key_id="test",
        issued_at=timezone.now(),
    )


# ---- the signed export ------------------------------------------------------------------------------------------


def export_signed(certificate, path: Path) -> Path:
    """The certificate's signed JSON export written to ``path``, as a user downloads it."""
    path.write_text(json.dumps(documents.signed_file(certificate), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def run_verify(*args: str) -> tuple[int, str]:
    """(exit status, stdout) of ``verify_certificate``: CommandError carries the status the shell would see."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_certificate", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()
