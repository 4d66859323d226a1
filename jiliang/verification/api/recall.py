"""The recall list over HTTP: ``GET /api/v1/standards/{id}/recall?date_from=&date_to=&offset=&limit=``.

The same list as the reverse-traceability page (:mod:`jiliang.verification.selectors.recall`): the instrument
certificates issued with the standard, or with a standard calibrated through it, in the period, a page at a time,
with the counts of both sections and the suspect standards with their windows. The standard must be visible to the
caller (its holder, the regulators of its region, the admin); anyone else gets 404, as for a missing standard.

``items`` holds only the certificates the caller reads in full (an institute the ones it issued, a regulator those
of its region, the admin all); the others are in ``others``, counted per issuing institute. ``instrument_count``
and ``equipment_count`` count the whole recall; ``listed_*`` what is listed.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from jiliang.core import clock
from jiliang.core.errors import DomainError
from jiliang.core.web.schemas import ERRORS, by_name

from ..schemas.recall import OtherInstituteOut, RecallItemOut, RecallOut, RecallQuery, SuspectStandardOut
from ..selectors.recall import recall_for

# Published under the standards tag since the recall lived in the standards app; clients group operations by it.
router = Router(tags=["standards"])


@router.get(
    "/standards/{standard_id}/recall",
    response={200: RecallOut, **ERRORS},
    summary="召回清单 / recall list",
)
def recall_list(request: HttpRequest, standard_id: int, query: Query[RecallQuery]):
    if query.date_to < query.date_from:
        raise DomainError(_("截止日期不能早于起始日期"), field="date_to")
    found = recall_for(request.auth, standard_id, query.date_from, query.date_to)
    now = timezone.localtime(clock.now())
    return RecallOut(
        **by_name(
            RecallOut,
            found,
            standard_id=found.standard.pk,
            standard_code=found.standard.code,
            generated_at=now,
            others=[OtherInstituteOut(**by_name(OtherInstituteOut, o, institute=o.name)) for o in found.others],
            suspect_standards=[SuspectStandardOut.model_validate(s) for s in found.suspect_standards()],
            offset=query.offset,
            limit=query.limit,
            items=[RecallItemOut.of(r) for r in found.instrument_rows(query.offset, query.limit, today=now.date())],
        )
    )
