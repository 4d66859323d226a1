"""The production server's settings (deploy/gunicorn.conf.py): workers and address from the environment."""

from __future__ import annotations

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _gunicorn_config(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "JILIANG_BIND", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))


def test_the_server_takes_its_workers_and_address_from_the_environment(monkeypatch):
    config = _gunicorn_config(monkeypatch, WEB_CONCURRENCY="4", JILIANG_BIND="unix:/run/jiliang/gunicorn.sock")
    assert config["workers"] == 4
    assert config["bind"] == ["unix:/run/jiliang/gunicorn.sock"]
    assert config["wsgi_app"] == "jiliang.wsgi:application"


def test_the_server_defaults_to_the_loopback_and_workers_by_cpu(monkeypatch):
    config = _gunicorn_config(monkeypatch)
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["workers"] >= 2


@pytest.mark.parametrize(("name", "value"), [("WEB_CONCURRENCY", "many"), ("WEB_CONCURRENCY", "0")])
def test_a_bad_worker_count_stops_the_server_naming_the_variable(monkeypatch, name, value):
    with pytest.raises(SystemExit, match=name):
        _gunicorn_config(monkeypatch, **{name: value})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own server on 127.0.0.1)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_demo_server_answers_with_debug_off_and_serves_the_static_files(tmp_path):
    """What `make demo` starts: gunicorn with this file, JILIANG_DEV=1 (plain HTTP) and DEBUG off."""
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "JILIANG_DEV": "1",
        "DEBUG": "0",
        "JILIANG_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "locmem://",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.1)
        status, headers, body = _get(base + "/no-such-page/")
        assert status == 404
        assert "页面不存在" in body.decode() and "URLconf" not in body.decode()
        assert "Content-Security-Policy" in headers
        for path in ("/static/css/app.css", "/static/js/app.js", "/favicon.ico"):
            status, _headers, body = _get(base + path)
            assert status == 200 and body, path
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Booting worker" in output and "No directory at" not in output
