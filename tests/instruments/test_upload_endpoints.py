"""A hostile .xlsx through each way in (the API, the import page, ``manage.py import_instruments``): refused
with the limit named, nothing saved. (``tests/live`` does the same against a running production server.)"""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility
from django.urls import reverse

from jiliang.core.api_auth import token_issue
from jiliang.core.models import AuditEvent
from jiliang.instruments.models import ImportJob, Instrument
from tests.live import hostile

LIMIT = "16384 列，超过 64 列的上限"


@pytest.fixture(autouse=True)
def limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JILIANG_IMPORT_MAX_COLUMNS = 64


def nothing_saved():
    assert not Instrument.objects.exists()
    assert not AuditEvent.objects.filter(action="instrument.import").exists()


def test_the_api_answers_422_in_the_error_shape_naming_the_limit(client, city):
    token = token_issue(user=city.owner_a_user, actor=None)
    file = SimpleUploadedFile("器具.xlsx", hostile.sparse_corner_workbook())

    response = client.post("/api/v1/instruments/import", {"file": file}, headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 422
    body = response.json()
    assert LIMIT in body["detail"]
    assert body["errors"] == [{"field": "file", "message": body["detail"]}]
    assert body["report"]["committed"] is False and body["report"]["file_error"] == body["detail"]
    nothing_saved()


def test_the_import_page_shows_the_limit_on_the_jobs_page(client, city):
    client.force_login(city.county_regulator_a)
    file = io.BytesIO(hostile.sparse_corner_workbook())
    file.name = "台账.xlsx"

    response = client.post(reverse("instruments:import"), {"file": file, "owner": city.owner_a.pk})

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and LIMIT in job.report["file_error"]
    assert LIMIT in client.get(response["Location"]).content.decode()
    nothing_saved()


def test_the_command_exits_with_the_limit_named(city, tmp_path, capsys):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(hostile.lying_zip())

    with mock.patch("django.core.management.base.connections.close_all"), pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "import_instruments", str(path), "--owner", city.owner_a.credit_code]).execute()

    assert exit_.value.code == 1
    error = capsys.readouterr().err
    assert "文件无法导入" in error and "xl/worksheets/sheet1.xml" in error and "4096 字节不符" in error
    nothing_saved()


def test_an_upload_django_spooled_to_disk_is_read_where_it_lies(client, city, settings, monkeypatch):
    import hashlib

    from jiliang.instruments.importing import uploads

    from ..builders.instruments import good_row, xlsx

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload becomes a TemporaryUploadedFile

    def no_copy(*args, **kwargs):
        raise AssertionError("the spooled upload was copied")

    # Django's upload handler holds its own reference to NamedTemporaryFile; only a copy by the import fails.
    monkeypatch.setattr(uploads.tempfile, "NamedTemporaryFile", no_copy)
    token = token_issue(user=city.owner_a_user, actor=None)
    content = xlsx([good_row(1), good_row(2)])

    response = client.post(
        "/api/v1/instruments/import",
        {"file": SimpleUploadedFile("台账.xlsx", content)},
        headers={"authorization": f"Bearer {token}"},
    )

    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(action="instrument.import")
    assert event.changes["file_name"] == "台账.xlsx"
    assert event.changes["sha256"] == hashlib.sha256(content).hexdigest()
    assert Instrument.objects.filter(owner=city.owner_a).count() == 2
