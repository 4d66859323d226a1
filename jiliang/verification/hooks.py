"""Verification's side of ``jiliang.instruments.hooks``: what the registry asks of verification records, answered
by verification's own services and selectors. Registered in ``VerificationConfig.ready``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet

from jiliang.core.models import User
from jiliang.instruments.models import Instrument

from .models import VerificationRecord
from .selectors import records as record_reads
from .services import declared


class ForTheRegistry:
    """Implements :class:`jiliang.instruments.hooks.Verification`."""

    def record_declare(
        self,
        *,
        actor: User | None,
        instrument: Instrument,
        performed_on: date,
        institute_name: str = "",
        certificate_number: str = "",
    ) -> VerificationRecord:
        return declared.record_declare(
            actor=actor,
            instrument=instrument,
            performed_on=performed_on,
            institute_name=institute_name,
            certificate_number=certificate_number,
        )

    def records_declare_imported(
        self, rows: list[dict[str, Any]], *, owner_id: int, actor: User | None, now: datetime
    ) -> None:
        declared.records_declare_imported(rows, owner_id=owner_id, actor=actor, now=now)

    def instrument_records(self, instrument_id: int) -> list[VerificationRecord]:
        return record_reads.instrument_records(instrument_id)

    def routed_instrument_ids(self, institute_id: int) -> QuerySet[Any]:
        return record_reads.routed_instrument_ids(institute_id)

    def record_dates(self, record_ids: Iterable[int]) -> dict[int, date]:
        return record_reads.record_dates(record_ids)
