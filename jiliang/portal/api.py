"""The public check as JSON: ``GET /api/v1/public/certificates/{token}`` — no token needed (``auth=None``); and an
instrument's public page as JSON, ``GET /api/v1/public/instruments/{key}`` (``jiliang.portal.instruments``).

Answers the same as the QR page (``jiliang.portal.selectors.public_answer``): every value from a signed record.
A certificate whose records do not verify answers 200 with ``status`` "signature_failed" and nothing else stated
(there is a row, and it must not be relied on). An unknown token is a 404 in the API's one error shape; it is
logged like every other check. Text that cannot be a token (wrong characters, too
long) is refused as invalid input (422) before any look-up.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router

from jiliang.core import clock
from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.web.schemas import ErrorOut
from jiliang.verification.models import PublicCheck

from . import instruments, selectors, services
from .schemas import PublicAnswerOut, PublicInstrumentOut

router = Router(tags=["public"])


@router.get(
    "/public/certificates/{token}",
    auth=None,
    response={200: PublicAnswerOut, 404: ErrorOut, 422: ErrorOut},
    summary="证书公开查验 / public certificate check",
)
def public_certificate(request: HttpRequest, token: Annotated[str, Path(pattern=selectors.TOKEN_PATTERN)]):
    """The certificate's status and what the public may know of it, by the token its QR code carries (what
    cannot be a token at all, e.g. too long, is a 422 and no check)."""
    certificate = selectors.certificate_by_token(token)
    answer = selectors.public_answer(certificate, clock.today())
    services.check_log(
        via=PublicCheck.Via.API, certificate=certificate, result=answer["status"], client=services.client_hash(request)
    )
    if certificate is None:
        raise NotFoundOrForbidden(_("证书不存在"))
    return answer


@router.get(
    "/public/instruments/{key}",
    auth=None,
    response={200: PublicInstrumentOut, 404: ErrorOut, 422: ErrorOut},
    summary="器具公开查询 / public instrument page",
)
def public_instrument(request: HttpRequest, key: Annotated[str, Path(pattern=selectors.TOKEN_PATTERN)]):
    """What an instrument's label QR code shows (kind, model, factory number, masked owner, whether it may be used,
    valid until, the latest certificate's check path), by its public key; logged like a look at the page."""
    instrument = instruments.instrument_by_key(key)
    answer = instruments.public_answer(instrument, clock.today())
    services.scan_log(instrument=instrument, result=answer["status"], client=services.client_hash(request))
    if instrument is None:
        raise NotFoundOrForbidden(_("计量器具不存在"))
    return answer
