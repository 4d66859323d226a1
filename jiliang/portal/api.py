"""The public check as JSON: ``GET /api/v1/public/certificates/{token}`` — no token needed (``auth=None``).

Answers the same as the QR page (``jiliang.portal.selectors.public_answer``). An unknown token is a 404 in the
API's one error shape; it is logged like every other check.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.instruments.schemas import ErrorOut
from jiliang.verification.models import PublicCheck

from . import selectors, services
from .schemas import PublicAnswerOut

router = Router(tags=["public"])


@router.get(
    "/public/certificates/{token}",
    auth=None,
    response={200: PublicAnswerOut, 404: ErrorOut},
    summary="证书公开查验 / public certificate check",
)
def public_certificate(request: HttpRequest, token: str):
    """The certificate's status and what the public may know of it, by the token its QR code carries."""
    certificate = selectors.certificate_by_token(token)
    answer = selectors.public_answer(certificate, timezone.localdate())
    services.check_log(
        via=PublicCheck.Via.API, certificate=certificate, result=answer["status"], client=services.client_hash(request)
    )
    if certificate is None:
        raise NotFoundOrForbidden(_("证书不存在"))
    return answer
