"""A live production server for tests that must hit the real thing: gunicorn, production settings, a real socket.

``production_server`` (session-scoped) gives every test in the session one server:

- a temporary directory holding a fresh SQLite database (migrated once, by ``manage.py migrate`` in a
  subprocess), the uploaded files (``MEDIA_ROOT``), the signing key and the server's log;
- one owner organization (联调使用单位, in a city and county of its own) and its user, with a password for a
  browser-like session and an API token from ``manage.py issue_token``;
- ``python -m gunicorn jiliang.wsgi:application --workers 2`` on a free port of 127.0.0.1, with the production
  settings module and DEBUG=0 (JILIANG_DEV=1 only so that the other development defaults hold), a random
  64-character SECRET_KEY, SECURE_COOKIES=0 (plain HTTP), ``JILIANG_PUBLIC_BASE_URL`` at the server's address;
- stopped (SIGTERM, then SIGKILL after 30 s) at the end of the session.

Use it from any test under ``tests/live``::

    def test_something(production_server):
        response = requests.get(production_server.url("/check/"), timeout=10)
        session = production_server.login()  # a requests.Session with the owner's session cookie
        api = production_server.api_headers  # {"Authorization": "Bearer …"}

``server.processes()`` lists the gunicorn master and its workers (pids), ``server.log()`` returns what the server
printed. The tests need no database of pytest-django's own: they talk to the server over HTTP. Under xdist each
worker process starts its own server; run ``-p no:xdist`` to start one.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "live_owner"
OWNER_NAME = "联调使用单位"
# Run by ``manage.py shell`` on the server's database: a city, a county, an owner and its user.
MAKE_OWNER = """
import os
from jiliang.core.models import Organization, Region, Role, User
from jiliang.metrology import uscc
city = Region.objects.create(code="219800", name="联调市", level=Region.Level.CITY)
county = Region.objects.create(code="219801", name="联调县", level=Region.Level.COUNTY, parent=city)
owner = Organization.objects.create(
    name=os.environ["LIVE_OWNER_NAME"], kind=Organization.Kind.OWNER, region=county,
    credit_code=uscc.make_code("91219800", "00000001X"),
)
User.objects.create_user(
    username=os.environ["LIVE_USERNAME"], password=os.environ["LIVE_PASSWORD"], role=Role.OWNER, organization=owner
)
print(owner.credit_code)
"""


@dataclass
class ProductionServer:
    base_url: str
    username: str
    password: str
    token: str
    owner_credit_code: str
    directory: Path
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(repr=False)

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def login(self) -> requests.Session:
        """A session logged in as the owner through the login page (CSRF token and cookie, as a browser)."""
        session = requests.Session()
        page = session.get(self.url("/accounts/login/"), timeout=30)
        page.raise_for_status()
        response = session.post(
            self.url("/accounts/login/"),
            data={"username": self.username, "password": self.password, "csrfmiddlewaretoken": csrf_token(page.text)},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, (response.status_code, response.text[:500])
        return session

    def processes(self) -> tuple[int, list[int]]:
        """(master pid, worker pids); the master's pid is -1 once it has exited."""
        master = self.process.pid if self.process.poll() is None else -1
        return master, children_of(self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def manage(self, *args: str) -> str:
        """Run ``manage.py`` against the server's database and settings; its stdout."""
        return run_manage(self.env, *args)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match is not None, "no CSRF token in the page"
    return match.group(1)


def children_of(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (from /proc: Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the parent pid is the second field after it.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def server_env(directory: Path, port: int) -> dict[str, str]:
    """The production settings, pointed at ``directory``; nothing from the test run's Django settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "JILIANG_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="jiliang.settings",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        DEBUG="0",
        JILIANG_DEV="1",
        SECRET_KEY=secrets.token_urlsafe(48)[:64],
        ALLOWED_HOSTS="127.0.0.1,localhost",
        JILIANG_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        SECURE_COOKIES="0",
        CACHE_URL="",
        MEDIA_ROOT=str(directory / "media"),
        JILIANG_SIGNING_KEY_FILE=str(directory / "keys" / "certificate-signing.pem"),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_until_serving(server: ProductionServer, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.process.returncode}:\n{server.log()[-3000:]}")
        try:
            if requests.get(server.url("/check/"), timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {timeout} s:\n{server.log()[-3000:]}")


@pytest.fixture(scope="session")
def production_server(tmp_path_factory) -> Iterator[ProductionServer]:
    directory = tmp_path_factory.mktemp("production")
    port = free_port()
    env = server_env(directory, port)
    password = secrets.token_urlsafe(16)
    run_manage(env, "migrate", "--noinput")
    credit_code = run_manage(
        {**env, "LIVE_USERNAME": USERNAME, "LIVE_PASSWORD": password, "LIVE_OWNER_NAME": OWNER_NAME},
        "shell",
        "-c",
        MAKE_OWNER,
    ).strip()
    # The command prints the token (jl_…), today alone on its line; found by its form should more be printed.
    issued = run_manage(env, "issue_token", USERNAME)
    match = re.search(r"\bjl_[A-Za-z0-9_-]{20,}", issued)
    token = match.group(0) if match else issued.strip().splitlines()[-1].strip()
    log_path = directory / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "jiliang.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                # Gunicorn's control socket defaults to one path per user (~/.gunicorn): two servers (xdist,
                # another checkout) would take it from each other.
                "--control-socket",
                str(directory / "gunicorn.ctl"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = ProductionServer(
        base_url=f"http://127.0.0.1:{port}",
        username=USERNAME,
        password=password,
        token=token,
        owner_credit_code=credit_code,
        directory=directory,
        process=process,
        log_path=log_path,
        env=env,
    )
    try:
        wait_until_serving(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
