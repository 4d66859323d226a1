"""What the registry asks of verification, the layer above it, without importing it.

Instruments sits below verification (the layers contract in pyproject.toml), yet the registry's pages and services
meet verification records: a registration or an owner declares a verification done before the platform, an import
writes the declared records of its rows, an instrument's page lists its records and history, and an institute sees
the instruments routed to it. Verification is the only writer of its records and owns the reads of them: it
implements :class:`Verification` and registers it in ``VerificationConfig.ready``; instruments calls
:func:`verification`. In the other direction verification calls ``services.instrument_set_last_verification``
with a record's id and date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from jiliang.core.models import User


class DeclaredRecord(Protocol):
    """A declared verification record, as the registry reads it back."""

    pk: Any
    performed_on: date
    institute_name: str
    declared_certificate_number: str


class Verification(Protocol):
    def record_declare(
        self,
        *,
        actor: User | None,
        instrument: Any,
        performed_on: date,
        institute_name: str = "",
        certificate_number: str = "",
    ) -> DeclaredRecord:
        """Write one declared record of ``instrument`` (a verification done before the platform, passed)."""

    def records_declare_bulk(
        self, rows: list[dict[str, Any]], *, owner_id: int, actor: User | None, now: datetime
    ) -> None:
        """Write one declared record per row of an import (``instrument_id``, ``performed_on``, ``next_due_on``)
        and point each new instrument of that import (``owner_id``, created at ``now``) at its record."""

    def instrument_records(self, instrument_id: int) -> list[Any]:
        """The records of one instrument, newest first, each with its certificates (no scope check)."""

    def routed_instrument_ids(self, institute_id: int) -> QuerySet[Any]:
        """The ids (``values("instrument_id")``) of the instruments of the requests routed to an institute."""

    def record_dates(self, record_ids: Iterable[int]) -> dict[int, date]:
        """The date of each record in ``record_ids`` that exists."""


_registered: Verification | None = None


def register(implementation: Verification) -> None:
    global _registered
    _registered = implementation


def verification() -> Verification:
    if _registered is None:
        raise ImproperlyConfigured(
            "jiliang.verification is not installed: the registry needs it for verification records"
        )
    return _registered
