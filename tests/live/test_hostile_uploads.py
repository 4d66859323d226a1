"""The 10 KB workbook and the bombs, uploaded to a running production server (gunicorn, two workers) through the
API and through the import page: each is refused with the limit it hit, nothing is saved, no gunicorn process
dies, and the server goes on answering.

Before the upload checks and the sandboxed reader, the first upload killed the worker that read it (SIGABRT:
calamine asked for 512 GiB) and the client got no answer at all; the bombs cost a worker hundreds of MB each.
"""

from __future__ import annotations

import pytest
import requests

from . import hostile
from .conftest import csrf_token

# Each file, and what its refusal must say with the default limits (jiliang/settings.py).
CASES = {
    "sparse-corner": (hostile.sparse_corner_workbook, "A1:XFD1048576 有 16384 列，超过 64 列的上限"),
    "sparse-corner-no-dimension": (
        lambda: hostile.sparse_corner_workbook(dimension=False),
        "读取文件时超过 2048 MB 的内存上限",
    ),
    "shared-strings-bomb": (hostile.shared_strings_bomb, "“xl/sharedStrings.xml”压缩比为"),
    "deflate-bomb": (hostile.deflate_bomb, "“xl/worksheets/sheet1.xml”压缩比为"),
    "lying-zip-headers": (hostile.lying_zip, "与压缩包声明的 4096 字节不符"),
}
TIMEOUT = 120


@pytest.fixture(scope="module")
def server(production_server):
    """The server, its gunicorn processes as they were before any hostile upload, and a logged-in session."""
    master, workers = production_server.processes()
    assert master > 0 and len(workers) == 2, production_server.log()[-2000:]
    return production_server, (master, workers), production_server.login()


def assert_still_serving(server):
    production_server, processes, _session = server
    # The same master and the same two workers: none was killed and replaced.
    assert production_server.processes() == processes, production_server.log()[-3000:]
    assert requests.get(production_server.url("/check/"), timeout=TIMEOUT).status_code == 200
    listed = requests.get(
        production_server.url("/api/v1/instruments"), headers=production_server.api_headers, timeout=TIMEOUT
    )
    assert listed.status_code == 200 and listed.json()["count"] == 0


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_file_posted_to_the_api_is_refused_with_its_limit_and_the_server_goes_on(server, case):
    production_server, _processes, _session = server
    build, limit = CASES[case]

    response = requests.post(
        production_server.url("/api/v1/instruments/import"),
        headers=production_server.api_headers,
        files={"file": ("台账.xlsx", build(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
        timeout=TIMEOUT,
    )

    assert response.status_code == 422, response.text[:500]
    body = response.json()
    assert limit in body["detail"], body["detail"]
    assert body["errors"][0]["field"] == "file" and body["report"]["committed"] is False
    assert_still_serving(server)


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_file_uploaded_on_the_import_page_is_refused_with_its_limit_and_the_server_goes_on(server, case):
    production_server, _processes, session = server
    build, limit = CASES[case]
    form = session.get(production_server.url("/instruments/import/"), timeout=TIMEOUT)
    assert form.status_code == 200

    response = session.post(
        production_server.url("/instruments/import/"),
        data={"csrfmiddlewaretoken": csrf_token(form.text)},
        files={"file": ("台账.xlsx", build(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
        headers={"Referer": production_server.url("/instruments/import/")},
        timeout=TIMEOUT,
    )

    # The import ran in the request (the file is refused before any row is read) and its page gives the reason.
    assert response.status_code == 200 and "/instruments/import/" in response.url, response.text[:500]
    assert limit in response.text
    assert "未导入" in response.text and "没有保存任何数据" in response.text
    assert_still_serving(server)
    # A refused file is not kept (its report is in the job row).
    assert not list((production_server.directory / "media" / "imports").glob("*.xlsx"))
