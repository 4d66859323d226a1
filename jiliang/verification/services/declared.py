"""Declared records: a verification done before the platform, as the owner states it (date, institute, old
certificate number), written one at a time (a registration, an owner's declaration) or one per row of an import;
and which record is an instrument's last valid verification.

The registry reaches these through ``jiliang.instruments.hooks`` (instruments sits below verification and imports
none of it); verification stays the only writer of its records.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core.errors import DomainError
from jiliang.core.models import User
from jiliang.instruments.importing.writer import RowWriter
from jiliang.instruments.models import Instrument
from jiliang.instruments.services import instrument_set_last_verification
from jiliang.metrology import due

from ..models import Service, VerificationRecord
from ..selectors.records import valid_verification_q

# A declared record's own fields in an import (the verification date typed in the file); the rest is one value
# per import.
_IMPORTED_ROW_FIELDS = ("instrument_id", "performed_on", "next_due_on")


def record_declare(
    *,
    actor: User | None,
    instrument: Instrument,
    performed_on: date,
    institute_name: str = "",
    certificate_number: str = "",
) -> VerificationRecord:
    """Write one declared record of ``instrument`` (passed; its next due date from the catalog row)."""
    item = instrument.catalog_item
    return VerificationRecord.objects.create(
        instrument=instrument,
        kind=Service.VERIFICATION,
        source=VerificationRecord.Source.DECLARED,
        institute_name=institute_name.strip(),
        declared_certificate_number=certificate_number.strip(),
        performed_on=performed_on,
        conclusion=VerificationRecord.Conclusion.PASS,
        next_due_on=due.due_date(performed_on, item.mode, item.interval_months) if item is not None else None,
        created_by=actor,
    )


def records_declare_bulk(rows: list[dict[str, Any]], *, owner_id: int, actor: User | None, now: datetime) -> None:
    """Write one declared record per row of an import (the date typed in the file), then point each new
    instrument of that import at its record in one set-based UPDATE (their due dates are already derived)."""
    writer = RowWriter(
        {
            "kind": Service.VERIFICATION.value,
            "source": VerificationRecord.Source.DECLARED.value,
            "conclusion": VerificationRecord.Conclusion.PASS.value,
            "created_at": now,
            "created_by_id": actor.pk if actor is not None else None,
        },
        model=VerificationRecord,
        row_fields=_IMPORTED_ROW_FIELDS,
    )
    with writer.stream():
        for row in rows:
            writer.add(writer.params(row))
    connection = writer.connection
    quote = connection.ops.quote_name
    instruments = quote(Instrument._meta.db_table)
    records = quote(VerificationRecord._meta.db_table)
    # Only this import's instruments (owner and creation time) that got a record: each has exactly one.
    sql = (
        f"UPDATE {instruments} SET last_verification_id = ("  # noqa: S608 - quoted model names, values as parameters
        f"SELECT MAX(r.id) FROM {records} r WHERE r.instrument_id = {instruments}.id) "
        f"WHERE owner_id = %s AND created_at = %s "
        f"AND EXISTS (SELECT 1 FROM {records} r WHERE r.instrument_id = {instruments}.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [owner_id, connection.ops.adapt_datetimefield_value(now)])


def record_make_last(*, instrument: Instrument, record: VerificationRecord | None, actor: User | None) -> Instrument:
    """Make ``record`` the instrument's last valid verification (None: it has none), after checking that it is
    one of the instrument's and counts as a valid verification; the registry re-derives the due date.

    Called after a passing certificate is issued, after a revocation or a supersession with the new latest
    valid record (or None), and after a declaration.
    """
    with transaction.atomic():
        if record is not None:
            if record.instrument_id != instrument.pk:
                raise DomainError(_("检定记录不属于该计量器具"), field="record")
            if not VerificationRecord.objects.filter(valid_verification_q(), pk=record.pk).exists():
                raise DomainError(_("只有合格且证书有效的检定记录可以作为最近检定"), field="record")
        instrument_set_last_verification(
            instrument=instrument,
            record_id=record.pk if record is not None else None,
            performed_on=record.performed_on if record is not None else None,
            actor=actor,
        )
    instrument.last_verification = record
    return instrument
