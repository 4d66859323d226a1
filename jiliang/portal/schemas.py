"""The public check's answer as JSON (``GET /api/v1/public/certificates/{token}``): the same keys as the page."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Schema

from jiliang.verification.models import Certificate

from .instruments import STATUS_VALUES as INSTRUMENT_STATUS_VALUES
from .selectors import STATUS_VALUES

# The certificate statuses, "signature_failed" (the record does not verify: nothing else is stated) and "stopped"
# (a genuine certificate of an instrument stopped as failed since).
StatusCode = Literal[STATUS_VALUES]  # type: ignore[valid-type]
KindCode = Literal[tuple(Certificate.Kind.values)]  # type: ignore[valid-type]


class PublicAnswerOut(Schema):
    """What anyone may know of a certificate, every value from a signed record (``jiliang.portal.selectors``
    explains each field, and why)."""

    status: StatusCode
    status_label: str
    number: str | None
    kind: KindCode | None
    kind_label: str | None
    instrument: str | None
    model: str | None
    serial_number: str | None
    owner: str | None
    issued_on: date | None
    valid_until: date | None
    institute: str | None
    superseded_by: str | None
    revoked_on: date | None
    stopped_by: str | None
    stopped_on: date | None
    stops_instrument: bool | None
    signature_valid: bool | None


InstrumentStatusCode = Literal[INSTRUMENT_STATUS_VALUES]  # type: ignore[valid-type]


class PublicInstrumentOut(Schema):
    """What anyone holding an instrument's label may know of it (``jiliang.portal.instruments``): ``usable`` False
    means it must not be used (stopped, failed, scrapped, overdue or never verified under mandatory verification)."""

    status: InstrumentStatusCode
    status_label: str
    usable: bool
    kind: str | None
    model: str | None
    serial_number: str | None
    owner: str | None
    valid_until: date | None
    certificate_number: str | None
    certificate_url: str | None
