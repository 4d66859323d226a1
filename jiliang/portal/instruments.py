"""The public page of an instrument (扫码查器具, ``/check/i/<key>/``): what its label's QR code opens.

Anyone holding the label's link may read: the kind of instrument, its model (型号规格) and factory number (出厂编号)
— all three on its nameplate —, the user's name partly masked (``jiliang.portal.masking``), whether it may be used
today and until when its verification is valid, and the check link of its latest certificate, whose signed
document is the proof (the page itself states what the registry holds; the certificate check states what was
signed). Never its owner's address, its location, its asset number or its readings.

The key is random (``jiliang.instruments.models.new_public_key``, 144 bits), so the page cannot be walked; an
unknown key answers not found (404). A stopped, failed or scrapped instrument says so plainly: 不得使用.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiliang.instruments.models import Instrument
from jiliang.metrology import due
from jiliang.verification.models import Certificate

from .masking import mask_name
from .selectors import _TOKEN

# What the page answers, beside the due states of an instrument in use (``metrology.due.DueState``).
NOT_FOUND = "not_found"
FAILED = "failed"
STOPPED = "stopped"
SCRAPPED = "scrapped"

# Every status: its headline, and whether the instrument may be used for its legal purposes today.
_STATUSES: dict[str, tuple[Any, bool]] = {
    due.DueState.VALID.value: (_("检定有效"), True),
    due.DueState.DUE_SOON.value: (_("检定有效（即将到期）"), True),
    due.DueState.OVERDUE.value: (_("已超过检定有效期"), False),
    due.DueState.NEVER.value: (_("未检定"), False),
    due.DueState.NOT_APPLICABLE.value: (_("非强制检定器具"), True),
    FAILED: (_("检定不合格，已停用"), False),
    STOPPED: (_("已停用"), False),
    SCRAPPED: (_("已报废"), False),
    NOT_FOUND: (_("未找到该器具"), False),
}
STATUS_VALUES = tuple(_STATUSES)

ANSWER_KEYS = (
    "status",
    "status_label",
    "usable",
    "kind",
    "model",
    "serial_number",
    "owner",
    "valid_until",
    "certificate_number",
    "certificate_url",
)


def instrument_by_key(key: str) -> Instrument | None:
    """The instrument whose public key is ``key`` (one query on the unique index); None for an unknown key or text
    that cannot be a key."""
    if not _TOKEN.fullmatch(key or ""):
        return None
    return Instrument.objects.select_related("owner", "catalog_item").filter(public_key=key).first()


def public_status(instrument: Instrument, today: date) -> str:
    """What the page's headline says: scrapped, stopped as failed, stopped, else the due state of an instrument in
    use (valid, due soon, overdue, never verified, not under mandatory verification)."""
    if instrument.status == Instrument.Status.SCRAPPED:
        return SCRAPPED
    if instrument.stopped_as_failed:
        return FAILED
    if instrument.status == Instrument.Status.STOPPED:
        return STOPPED
    return instrument.due_state(today)


def _latest_certificate(instrument: Instrument) -> dict[str, str] | None:
    return (
        Certificate.objects.filter(instrument=instrument)
        .order_by("-issued_at", "-pk")
        .values("number", "token")
        .first()
    )


def public_answer(instrument: Instrument | None, today: date) -> dict[str, Any]:
    """The page's answer for ``instrument`` on ``today`` (None: not found, every other value empty)."""
    answer: dict[str, Any] = dict.fromkeys(ANSWER_KEYS)
    status = NOT_FOUND if instrument is None else public_status(instrument, today)
    label, usable = _STATUSES[status]
    answer.update(status=status, status_label=str(label), usable=usable)
    if instrument is None:
        return answer
    certificate = _latest_certificate(instrument)
    item = instrument.catalog_item
    answer.update(
        kind=item.kind if item else instrument.name,
        model=instrument.model or None,
        serial_number=instrument.serial_number,
        owner=mask_name(instrument.owner.name),
        # A date of validity only while the instrument may be used: beside 不得使用 it would mislead.
        valid_until=instrument.due_on if usable else None,
        certificate_number=certificate["number"] if certificate else None,
        certificate_url=reverse("portal:token", args=[certificate["token"]]) if certificate else None,
    )
    return answer
