"""Reads of verification records, scoped by role and region; and which records count as a valid verification."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import User
from jiliang.core.selectors import scope_of, scoped

from ..models import Certificate, RecordDraft, RecordDraftEvent, RequestItem, Service, VerificationRecord


def records_visible_to(user: User | None) -> QuerySet[VerificationRecord]:
    return scoped(
        VerificationRecord.objects.all(),
        user,
        region="instrument__region_id",
        owner="instrument__owner_id",
        institute="institute_id",
    )


def valid_verification_q() -> Q:
    """Records that count as a valid verification: a passed verification whose certificate, if it has one, stands
    (neither revoked nor superseded). A declared record has no certificate and counts."""
    void = Certificate.objects.filter(record=OuterRef("pk")).filter(
        Q(revocation__isnull=False) | Q(superseded_by__isnull=False)
    )
    return Q(kind=Service.VERIFICATION, conclusion=VerificationRecord.Conclusion.PASS) & ~Exists(void)


def latest_valid_verification(instrument_id: int) -> VerificationRecord | None:
    """The instrument's latest valid verification (:func:`valid_verification_q`), by date, then by id."""
    return (
        VerificationRecord.objects.filter(valid_verification_q(), instrument_id=instrument_id)
        .order_by("-performed_on", "-id")
        .first()
    )


def latest_standing_verification(instrument_id: int) -> Certificate | None:
    """The certificate of the instrument's latest platform verification (by date, then by record id) among those
    whose certificate stands (neither revoked nor superseded): a verification certificate when it passed, a notice
    of failed verification (检定结果通知书) when it failed. Declared records and calibrations do not count; a record
    with no certificate standing is skipped, whatever its date. Its record is loaded."""
    return (
        Certificate.objects.filter(
            instrument_id=instrument_id,
            record__kind=Service.VERIFICATION,
            record__source=VerificationRecord.Source.PLATFORM,
            revocation__isnull=True,
            superseded_by__isnull=True,
        )
        .select_related("record")
        .order_by("-record__performed_on", "-record_id", "-id")
        .first()
    )


def request_item_for_record(actor: User, request_item_id: int | None) -> RequestItem:
    """The request item a record is made for: one of a request routed to the actor's institute (the admin: any);
    missing and out-of-scope look the same."""
    scope = scope_of(actor)
    if not (scope.is_institute or scope.is_admin) or request_item_id is None:
        raise NotFoundOrForbidden(_("申请器具不存在"))
    qs = RequestItem.objects.select_related("request__institute", "instrument__catalog_item", "instrument__owner")
    if not scope.is_admin:
        qs = qs.filter(request__institute_id=scope.organization_id)
    item = qs.filter(pk=request_item_id).first()
    if item is None:
        raise NotFoundOrForbidden(_("申请器具不存在"))
    return item


def instrument_records(instrument_id: int) -> list[VerificationRecord]:
    """The verification and calibration records of one instrument (the caller checked its scope), newest first,
    each with its certificates (revocation and supersession loaded) in two queries whatever their number."""
    certificates = Certificate.objects.select_related("revocation", "superseded_by").order_by("issued_at", "id")
    return list(
        VerificationRecord.objects.filter(instrument_id=instrument_id)
        .select_related("institute")
        .prefetch_related(Prefetch("certificates", queryset=certificates))
        .order_by("-performed_on", "-id")
    )


def routed_instrument_ids(institute_id: int) -> QuerySet[RequestItem, Any]:
    """The instruments of the requests routed to an institute, as ``values("instrument_id")`` for a subquery."""
    return RequestItem.objects.filter(request__institute_id=institute_id).values("instrument_id")


def record_dates(record_ids: Iterable[int]) -> dict[int, date]:
    """The date of each record in ``record_ids`` that exists."""
    return dict(VerificationRecord.objects.filter(pk__in=list(record_ids)).values_list("pk", "performed_on"))


def draft_for(actor: User, draft_id: int) -> RecordDraft:
    """One draft of the actor's institute, with what its page shows; missing and out-of-scope look the same."""
    scope = scope_of(actor)
    if not scope.is_institute:
        raise NotFoundOrForbidden(_("检定记录不存在"))
    draft = (
        RecordDraft.objects.filter(pk=draft_id, institute_id=scope.organization_id)
        .select_related(
            "instrument__catalog_item",
            "instrument__owner",
            "request_item__request",
            "verifier",
            "checker",
            "approver",
            "returned_by",
            "corrects",
            "record",
        )
        .prefetch_related(Prefetch("events", queryset=RecordDraftEvent.objects.select_related("person")))
        .first()
    )
    if draft is None:
        raise NotFoundOrForbidden(_("检定记录不存在"))
    return draft
