"""One import: :func:`instruments_import` reads the file, checks every row and writes the good ones in one
transaction with one audit event (see the package's docstring for how it stays fast)."""

from __future__ import annotations

import logging
import os
from datetime import date
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, clock
from jiliang.core.errors import NotFoundOrForbidden
from jiliang.core.models import Organization, User

from .. import tally
from ..excel import Sheet, SheetError, SheetReaderFailed, read_sheet
from ..hooks import verification
from ..models import Instrument
from ..services import _owner_for
from .cells import _map_columns, _text
from .report import ImportReport, Progress
from .rows import _RowChecker
from .uploads import _upload_on_disk
from .writer import BATCH_ROWS, RowWriter, _id_ranges

logger = logging.getLogger(__name__)


def _resolve_owner(actor: User | None, owner: Organization | int | None) -> Organization:
    if actor is None:
        # The system (a management command run by an operator) may import for any owner.
        owner_id = owner.pk if isinstance(owner, Organization) else owner
        found = Organization.objects.filter(pk=owner_id, kind=Organization.Kind.OWNER).first()
        if found is None:
            raise NotFoundOrForbidden(_("使用单位不存在"), field="owner")
        return found
    return _owner_for(actor, owner)


def instruments_import(
    *,
    actor: User | None,
    owner: Organization | int | None,
    file: bytes | str | os.PathLike | IO[bytes],
    partial: bool = False,
    progress: Progress | None = None,
    file_name: str = "",
) -> ImportReport:
    """Import the instruments in ``file`` (.xlsx bytes, a path or a binary file object) for ``owner``.

    ``actor`` None is the system (a management command). An owner user imports for itself (``owner`` may be
    None); a regulator for an owner in its region. Raises :class:`NotFoundOrForbidden` / :class:`DomainError`
    when the actor may not import for ``owner``; every problem with the file or its rows is in the report.
    ``progress(done, total)`` is called after every batch of rows.
    """
    owning = _resolve_owner(actor, owner)
    report = ImportReport(partial=partial)
    try:
        with _upload_on_disk(file) as (path, name, sha256):
            report.sha256 = sha256
            sheet = read_sheet(path)
        if not sheet.rows or not any(_text(v) for v in sheet.rows[0]):
            raise SheetError(_("文件中没有数据：第 1 行应为列名"))
        columns = _map_columns(sheet.rows[0])
        limit = getattr(settings, "JILIANG_IMPORT_MAX_ROWS", 200_000)
        if len(sheet.rows) - 1 > limit:
            raise SheetError(
                _("文件有 %(rows)s 行，超过一次导入的上限 %(limit)s 行，请拆分后分批导入")
                % {"rows": len(sheet.rows) - 1, "limit": limit}
            )
        _import_rows(report, sheet, columns, owning=owning, actor=actor, progress=progress, file_name=file_name or name)
    except SheetError as exc:
        report.file_error = str(exc)
        report.file_refused = not isinstance(exc, SheetReaderFailed)
        report.imported, report.committed = 0, False
    return report


def _import_rows(
    report: ImportReport,
    sheet: Sheet,
    columns: dict[str, int],
    *,
    owning: Organization,
    actor: User | None,
    progress: Progress | None,
    file_name: str,
) -> None:
    rows = sheet.rows
    total_estimate = len(rows) - 1
    errors = report.errors
    now = clock.now()
    try:
        with transaction.atomic():
            existing = set(Instrument.objects.filter(owner=owning).values_list("catalog_item_id", "serial_number"))
            checker = _RowChecker(columns, sheet.formulas, existing)
            writer = RowWriter(
                {
                    "owner_id": owning.pk,
                    "region_id": owning.region_id,
                    "created_by_id": actor.pk if actor is not None else None,
                    "status": Instrument.Status.IN_USE.value,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            total = 0
            # (catalog item id, serial number) → (verification date, due date) of the written rows that have one.
            declared: dict[tuple[int | None, str], tuple[date, date | None]] = {}
            with writer.stream():
                for index in range(1, len(rows)):
                    if index % BATCH_ROWS == 0 and progress is not None:
                        progress(index, total_estimate)
                    checked = checker.check(index, rows[index])
                    if checked is None:
                        continue
                    total += 1
                    values, row_errors = checked
                    if row_errors:
                        errors.extend(row_errors)
                    elif report.partial or not errors:
                        writer.add(writer.params(values))
                        if values["last_verified_on"] is not None:
                            key = (values["catalog_item_id"], values["serial_number"])
                            declared[key] = (values["last_verified_on"], values["due_on"])
                    # else: nothing will be saved; the rest is validated, not written
            report.total_rows = total
            report.ignored_example_row = checker.ignored_example_row
            if total == 0:
                raise SheetError(_("文件中没有可导入的数据行"))
            if errors and not report.partial:
                transaction.set_rollback(True)
                return
            if writer.written:
                written = Instrument.objects.filter(owner=owning, created_at=now)
                ids = []
                record_rows = []
                for pk, item_id, serial in written.values_list("id", "catalog_item_id", "serial_number"):
                    ids.append(pk)
                    dates = declared.get((item_id, serial))
                    if dates is not None:
                        record_rows.append({"instrument_id": pk, "performed_on": dates[0], "next_due_on": dates[1]})
                if record_rows:
                    verification().records_declare_bulk(record_rows, owner_id=owning.pk, actor=actor, now=now)
                tally.add_rows(written)
                audit.record(
                    actor=actor,
                    action="instrument.import",
                    obj=owning,
                    changes={
                        "count": writer.written,
                        "declared_verifications": len(record_rows),
                        "id_ranges": _id_ranges(ids),
                        "file_name": file_name,
                        "sha256": report.sha256,
                        "partial": report.partial,
                        "total_rows": total,
                        "bad_rows": report.bad_rows,
                    },
                )
    except IntegrityError as exc:
        # Someone registered one of these serial numbers while the file was being read.
        logger.warning("instrument import for owner %s hit a unique constraint: %s", owning.pk, exc)
        raise SheetError(_("导入期间有人登记了相同出厂编号的器具，未保存任何数据，请重新导入")) from exc
    report.imported = writer.written
    report.committed = writer.written > 0
    if progress is not None:
        progress(total_estimate, total_estimate)
