"""Import jobs: the web page's import, run in a background thread with its progress in the cache, and its report
kept on the job."""

from __future__ import annotations

import logging
import os
import threading
from typing import IO, Any

from django.core.cache import cache
from django.db import connection as db_connection
from django.utils.translation import gettext as _

from jiliang.core import clock
from jiliang.core.errors import DomainError, NotFoundOrForbidden
from jiliang.core.models import Organization, User
from jiliang.core.selectors import scope_of

from ..excel import sheet_row_estimate
from ..models import ImportJob
from ..services import _owner_for
from .report import ImportReport
from .run import instruments_import

logger = logging.getLogger(__name__)


def progress_cache_key(job_id: Any) -> str:
    return f"jiliang:import-job:{job_id}"


def import_job_progress(job: ImportJob) -> tuple[int, int]:
    """(done, total) of a job: live from the cache while it runs, else from the job row.

    Live progress cannot go through the job row: the import holds one transaction open to the end, and on SQLite
    the write lock as well, so a row updated from inside it would be invisible (or blocked) until the end. The
    cache is per process unless settings.CACHES names a shared one; another process shows 0 until the end.
    """
    if job.status == ImportJob.Status.RUNNING:
        live = cache.get(progress_cache_key(job.pk))
        if live is not None:
            return live
    return job.done, job.total


def import_job_create(
    *, actor: User, owner: Organization | int | None, upload: IO[bytes], file_name: str, partial: bool
) -> ImportJob:
    """Keep the uploaded file under MEDIA_ROOT/imports/ and create its job (it runs with :func:`import_job_run`).

    The file stays until the job refuses it, or until ``JILIANG_UPLOAD_RETENTION_DAYS`` after the job finished
    (:func:`uploads_cleanup`)."""
    from django.core.files import File

    owning = _owner_for(actor, owner)
    job = ImportJob(owner=owning, actor=actor, file_name=os.path.basename(file_name)[:255], partial=partial)
    job.file.save(f"{job.pk}.xlsx", File(upload), save=False)
    job.save(force_insert=True)
    return job


def import_job_run(*, job_id: Any) -> ImportJob:
    """Run one import job to the end and store its report. Never raises for a bad file or a crash: the job says."""
    job = ImportJob.objects.select_related("owner", "actor").get(pk=job_id)
    job.status = ImportJob.Status.RUNNING
    job.total = sheet_row_estimate(job.file.path) or 0
    job.save(update_fields=["status", "total"])
    key = progress_cache_key(job.pk)

    def progress(done: int, total: int) -> None:
        cache.set(key, (done, total), 3600)

    try:
        report = instruments_import(
            actor=job.actor,
            owner=job.owner_id,
            file=job.file.path,
            partial=job.partial,
            progress=progress,
            file_name=job.file_name,
        )
    except DomainError as exc:
        report = ImportReport(partial=job.partial, file_error=exc.message)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        report = ImportReport(partial=job.partial, file_error=_("导入时发生内部错误，未保存任何数据，请联系管理员"))
    job.status = ImportJob.Status.DONE if report.committed else ImportJob.Status.FAILED
    job.total = report.total_rows
    job.done = report.total_rows if report.file_error is None else 0
    job.report = report.as_dict()
    job.finished_at = clock.now()
    fields = ["status", "total", "done", "report", "finished_at"]
    if report.file_refused:
        # The report says why; the file (perhaps hostile, perhaps 200 MB) serves nothing any more.
        _delete_upload(job)
        fields.append("file")
    job.save(update_fields=fields)
    cache.delete(key)
    return job


def _delete_upload(job: ImportJob) -> int:
    """Remove the job's file from storage and from the row (not saved); returns its size (0 if already gone)."""
    name = job.file.name
    if not name:
        return 0
    storage = job.file.storage
    try:
        size = storage.size(name)
    except OSError:
        size = 0
    storage.delete(name)
    # The column is NOT NULL: an empty name is "no file" (FieldFile.delete would write NULL).
    job.file.name = ""
    return size


def import_job_start(*, job_id: Any) -> threading.Thread:
    """Run the job in a background thread of this process (a large file would outlast the request).

    The thread closes its own database connection at the end. A job whose process stops half-way stays
    "running" with nothing saved (its transaction is rolled back) until :func:`uploads_cleanup` closes it.
    """

    def run() -> None:
        try:
            import_job_run(job_id=job_id)
        finally:
            db_connection.close()

    thread = threading.Thread(target=run, name=f"jiliang-import-{job_id}", daemon=True)
    thread.start()
    return thread


def import_job_get(user: User | None, job_id: Any) -> ImportJob:
    """A job, for the user who started it or an admin; anyone else is told it does not exist."""
    scope = scope_of(user)
    job = ImportJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or not scope.role or not (scope.is_admin or job.actor_id == user.pk):
        raise NotFoundOrForbidden(_("导入任务不存在"))
    return job
