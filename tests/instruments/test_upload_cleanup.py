"""Uploaded files are not kept forever: a refused file goes as soon as its report is stored; any other goes with
``manage.py cleanup_uploads`` once past ``JILIANG_UPLOAD_RETENTION_DAYS``; the job rows keep their reports."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from jiliang.core import clock
from jiliang.core.models import AuditEvent
from jiliang.instruments.models import ImportJob, Instrument
from tests.live import hostile

from ..builders.instruments import good_row, xlsx

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JILIANG_UPLOAD_RETENTION_DAYS = 7
    return settings.MEDIA_ROOT


def upload(client, user, content: bytes, name: str = "台账.xlsx"):
    client.force_login(user)
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("instruments:import"), {"file": file})


def uploads(media: Path) -> set[str]:
    folder = media / "imports"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.mark.parametrize(
    "content",
    [xlsx([good_row(1)])[:500], hostile.sparse_corner_workbook(), hostile.lying_zip()],
    ids=["corrupt", "sparse-corner", "lying-headers"],
)
def test_a_refused_upload_is_deleted_as_soon_as_its_report_is_stored(client, city, media, content):
    response = upload(client, city.owner_a_user, content)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.report["file_error"]
    assert job.file.name == "" and uploads(media) == set()
    # The report is still there for the status page.
    assert job.report["file_error"] in client.get(response["Location"]).content.decode()
    assert not Instrument.objects.exists()


def test_a_file_with_bad_rows_and_a_good_file_are_kept_until_their_retention(client, city, media):
    upload(client, city.owner_a_user, xlsx([good_row(1, 用途="自用")]))
    upload(client, city.owner_a_user, xlsx([good_row(2)]))

    jobs = ImportJob.objects.order_by("created_at")
    assert [j.status for j in jobs] == [ImportJob.Status.FAILED, ImportJob.Status.DONE]
    assert uploads(media) == {f"{j.pk}.xlsx" for j in jobs}


def make_job(city, *, status, created: datetime, finished: datetime | None, name="台账.xlsx") -> ImportJob:
    job = ImportJob(owner=city.owner_a, actor=city.owner_a_user, file_name=name, status=status)
    job.file.save(f"{job.pk}.xlsx", ContentFile(b"PK" + b"x" * 998), save=False)
    job.finished_at = finished
    job.report = {"imported": 1} if finished else {}
    job.save(force_insert=True)
    # created_at is auto_now_add: set it afterwards, as the clock would have.
    ImportJob.objects.filter(pk=job.pk).update(created_at=created)
    job.refresh_from_db()
    return job


def cleanup(capsys, *args: str) -> list[str]:
    with clock.travel(NOW):
        call_command("cleanup_uploads", *args)
    return capsys.readouterr().out.splitlines()


@pytest.fixture
def jobs(city):
    Status = ImportJob.Status
    day = timedelta(days=1)
    return {
        "old_done": make_job(city, status=Status.DONE, created=NOW - 10 * day, finished=NOW - 10 * day),
        "old_failed": make_job(city, status=Status.FAILED, created=NOW - 8 * day, finished=NOW - 8 * day),
        "recent_done": make_job(city, status=Status.DONE, created=NOW - 6 * day, finished=NOW - 6 * day),
        "running_now": make_job(city, status=Status.RUNNING, created=NOW - timedelta(minutes=5), finished=None),
        "abandoned": make_job(city, status=Status.RUNNING, created=NOW - 9 * day, finished=None),
    }


def test_cleanup_deletes_the_files_past_retention_and_says_what_it_deleted(capsys, city, media, jobs):
    out = cleanup(capsys)

    kept = {f"{jobs[k].pk}.xlsx" for k in ("recent_done", "running_now")}
    assert uploads(media) == kept
    assert sorted(out[:-1]) == sorted(
        f"deleted imports/{jobs[k].pk}.xlsx ({reason}, 1000 bytes)"
        for k, reason in (("old_done", "finished"), ("old_failed", "finished"), ("abandoned", "abandoned"))
    )
    assert out[-1] == "已删除 3 个上传文件，共 0.0 MB"
    # The rows stay, with their reports; the abandoned job is closed.
    old = ImportJob.objects.get(pk=jobs["old_done"].pk)
    assert old.file.name == "" and old.report == {"imported": 1} and old.status == ImportJob.Status.DONE
    abandoned = ImportJob.objects.get(pk=jobs["abandoned"].pk)
    assert abandoned.status == ImportJob.Status.FAILED and abandoned.finished_at == NOW
    assert "中断" in abandoned.report["file_error"]
    assert ImportJob.objects.get(pk=jobs["running_now"].pk).status == ImportJob.Status.RUNNING


def test_cleanup_audits_each_run_in_one_event_and_a_second_run_deletes_nothing(capsys, city, media, jobs):
    cleanup(capsys)
    again = cleanup(capsys)

    (event,) = AuditEvent.objects.filter(action="upload.cleanup")
    assert event.actor is None and event.changes["retention_days"] == 7 and event.changes["bytes"] == 3000
    assert {f["job"] for f in event.changes["files"]} == {
        str(jobs[k].pk) for k in ("old_done", "old_failed", "abandoned")
    }
    assert event.changes["abandoned_jobs"] == [str(jobs["abandoned"].pk)]
    assert again == ["已删除 0 个上传文件，共 0.0 MB"]


def test_dry_run_lists_the_files_and_changes_nothing(capsys, city, media, jobs):
    before = uploads(media)

    out = cleanup(capsys, "--dry-run")

    assert len(out) == 4 and all(line.startswith("would delete imports/") for line in out[:-1])
    assert out[-1] == "试运行：将删除 3 个上传文件，共 0.0 MB；未删除任何文件"
    assert uploads(media) == before
    assert ImportJob.objects.get(pk=jobs["abandoned"].pk).status == ImportJob.Status.RUNNING
    assert not AuditEvent.objects.filter(action="upload.cleanup").exists()


def test_a_file_no_job_names_is_deleted_a_day_after_it_was_written(capsys, city, media, settings):
    settings.JILIANG_UPLOAD_RETENTION_DAYS = 0
    folder = media / "imports"
    folder.mkdir(parents=True)
    for name, age in (("stray-old.xlsx", timedelta(days=2)), ("stray-new.xlsx", timedelta(hours=2))):
        (folder / name).write_bytes(b"x" * 10)
        moment = (NOW - age).timestamp()
        os.utime(folder / name, (moment, moment))

    out = cleanup(capsys)

    assert out[0] == "deleted imports/stray-old.xlsx (orphan, 10 bytes)"
    assert uploads(media) == {"stray-new.xlsx"}


def test_retention_zero_deletes_a_finished_jobs_file_at_the_next_run(capsys, city, media, settings):
    settings.JILIANG_UPLOAD_RETENTION_DAYS = 0
    job = make_job(
        city, status=ImportJob.Status.DONE, created=NOW - timedelta(minutes=2), finished=NOW - timedelta(minutes=1)
    )

    cleanup(capsys)

    assert uploads(media) == set() and ImportJob.objects.get(pk=job.pk).file.name == ""


def test_a_negative_retention_setting_refuses_to_start():
    env = {**os.environ, "JILIANG_DEV": "1", "JILIANG_UPLOAD_RETENTION_DAYS": "-1"}

    done = subprocess.run(
        [sys.executable, "-c", "import jiliang.settings"], env=env, capture_output=True, text=True, check=False
    )

    assert done.returncode != 0 and "JILIANG_UPLOAD_RETENTION_DAYS must be 0 or more" in done.stderr


def test_a_file_the_reader_failed_on_is_kept_for_the_administrator(client, city, media, monkeypatch):
    from jiliang.instruments import sheet_worker

    def fail(path, limits):
        raise sheet_worker.ReaderFailed("exit status 4: Traceback ...")

    monkeypatch.setattr(sheet_worker, "run", fail)

    upload(client, city.owner_a_user, xlsx([good_row(1)]))

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "内部错误" in job.report["file_error"]
    assert uploads(media) == {f"{job.pk}.xlsx"}
