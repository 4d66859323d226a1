"""The uploaded file: on disk for the reader (which runs in another process) with its SHA-256, within the size
limit; and the retention of the files kept for import jobs (:func:`uploads_cleanup`)."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import FileField
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.models import User

from ..excel import SheetError, on_disk
from ..models import ImportJob
from .report import ImportReport

logger = logging.getLogger(__name__)


@contextmanager
def _upload_on_disk(file: bytes | str | os.PathLike | IO[bytes]) -> Iterator[tuple[Path, str, str]]:
    """The upload as a file on disk (the reader runs in another process), its name and its SHA-256.

    A path is used where it is, and so is an upload Django already spooled to disk; bytes and other file objects
    are copied to a temporary file, within the size limit.
    """
    limit = settings.JILIANG_IMPORT_MAX_BYTES
    too_big = _("文件过大（超过 %(mb)s MB），请拆分后分批导入") % {"mb": limit // (1024 * 1024)}
    spooled = getattr(file, "temporary_file_path", None)
    if isinstance(file, str | os.PathLike) or spooled is not None:
        path = Path(spooled() if spooled is not None else file)  # type: ignore[arg-type]
        name = os.path.basename(str(getattr(file, "name", "") or "")) if spooled is not None else path.name
        if path.stat().st_size > limit:
            raise SheetError(too_big)
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
        yield path, name, digest.hexdigest()
        return
    if isinstance(file, bytes | bytearray | memoryview):
        data, name = bytes(file), ""
        if len(data) > limit:
            raise SheetError(too_big)
        with on_disk(data) as path:
            yield path, name, hashlib.sha256(data).hexdigest()
        return
    name = os.path.basename(str(getattr(file, "name", "") or ""))
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(prefix="jiliang-import-", suffix=".xlsx") as copy:
        while chunk := file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise SheetError(too_big)
            digest.update(chunk)
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name), name, digest.hexdigest()


# ---- Retention of uploaded files ---------------------------------------------------------------------------------

# A job still pending or running this long after it was created has lost its process (an import of the largest
# file takes minutes): it is closed as failed, and its file goes. Files under imports/ that no job names (a job
# row deleted, a crash between saving the file and its row) go after the same time.
ABANDONED_AFTER = timedelta(days=1)
UPLOADS_DIR = "imports"


@dataclass
class DeletedUpload:
    name: str  # the storage name, imports/<job id>.xlsx
    size: int
    job_id: str | None  # None: a file no job names
    reason: str  # "finished", "abandoned" or "orphan"


@dataclass
class UploadsCleanup:
    deleted: list[DeletedUpload] = field(default_factory=list)
    abandoned_jobs: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def bytes(self) -> int:
        return sum(d.size for d in self.deleted)


def uploads_cleanup(
    *, now: datetime, retention_days: int, dry_run: bool = False, actor: User | None = None
) -> UploadsCleanup:
    """Delete the uploaded files kept past their retention, in one audited run (idempotent).

    - a finished job's file (done, or failed for its rows), ``retention_days`` after the job finished; a refused
      file went when its job finished (:func:`import_job_run`);
    - a job pending or running for ABANDONED_AFTER (its process is gone, its transaction rolled back) is closed
      as failed, and its file deleted;
    - a file under imports/ that no job names, ABANDONED_AFTER after it was last written.

    Each job's report stays in its row. The rows change and one ``upload.cleanup`` audit event is written in one
    transaction; the files are deleted after it commits (a file whose deletion fails is an orphan next time).
    ``dry_run`` lists what would go and changes nothing.
    """
    result = UploadsCleanup(dry_run=dry_run)
    finished_before = now - timedelta(days=retention_days)
    abandoned_before = now - max(timedelta(days=retention_days), ABANDONED_AFTER)
    storage = cast(FileField, ImportJob._meta.get_field("file")).storage
    with transaction.atomic():
        finished = (
            ImportJob.objects.select_for_update()
            .filter(status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED], finished_at__lt=finished_before)
            .exclude(file="")
            .order_by("finished_at")
        )
        abandoned = (
            ImportJob.objects.select_for_update()
            .filter(status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING], created_at__lt=abandoned_before)
            .order_by("created_at")
        )
        for reason, jobs in (("finished", finished), ("abandoned", abandoned)):
            for job in jobs:
                name = job.file.name
                if name:
                    result.deleted.append(DeletedUpload(name, _stored_size(storage, name), str(job.pk), reason))
                if reason == "abandoned":
                    result.abandoned_jobs.append(str(job.pk))
                if dry_run:
                    continue
                job.file.name = ""
                if reason == "finished":
                    job.save(update_fields=["file"])
                    continue
                job.status = ImportJob.Status.FAILED
                job.finished_at = now
                job.report = ImportReport(
                    partial=job.partial, file_error=_("导入未完成（处理进程已中断），未保存任何数据，请重新导入")
                ).as_dict()
                job.save(update_fields=["file", "status", "finished_at", "report"])
        named = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
        named.difference_update(d.name for d in result.deleted)
        for name, size, modified in _stored_uploads(storage):
            if name not in named and modified < abandoned_before:
                result.deleted.append(DeletedUpload(name, size, None, "orphan"))
        if result.deleted and not dry_run:
            audit.record(
                actor=actor,
                action="upload.cleanup",
                object_type="instruments.importjob",
                changes={
                    "retention_days": retention_days,
                    "files": [
                        {"name": d.name, "size": d.size, "job": d.job_id, "reason": d.reason} for d in result.deleted
                    ],
                    "bytes": result.bytes,
                    "abandoned_jobs": result.abandoned_jobs,
                },
            )
    if not dry_run:
        for deleted in result.deleted:
            try:
                storage.delete(deleted.name)
            except OSError:
                logger.exception("could not delete the upload %s", deleted.name)
    return result


def _stored_size(storage: Any, name: str) -> int:
    try:
        return storage.size(name)
    except OSError:
        return 0  # already gone: the row is cleared all the same


def _stored_uploads(storage: Any) -> Iterator[tuple[str, int, datetime]]:
    """(name, size, last modified) of every file under imports/."""
    try:
        _dirs, files = storage.listdir(UPLOADS_DIR)
    except FileNotFoundError:
        return
    for file_name in sorted(files):
        name = f"{UPLOADS_DIR}/{file_name}"
        try:
            yield name, storage.size(name), storage.get_modified_time(name)
        except OSError:
            continue
