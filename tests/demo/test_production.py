"""The demo app is installed in development only: a production server has no seed_city and no demo_logins.

Each check runs ``manage.py`` in a child process with an environment built from nothing, so that the test run's own
JILIANG_DEV=1 cannot leak in.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(48),
    "JILIANG_PUBLIC_BASE_URL": "https://jiliang.example.gov.cn",
    "ALLOWED_HOSTS": "jiliang.example.gov.cn",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_leave_the_demo_app_and_its_commands_out():
    installed = _manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.INSTALLED_APPS)", **PRODUCTION
    )
    seed = _manage("seed_city", "--help", **PRODUCTION)
    logins = _manage("demo_logins", "--help", **PRODUCTION)

    assert installed.returncode == 0, installed.stderr
    assert "jiliang.indicators" in installed.stdout
    assert "jiliang.demo" not in installed.stdout
    assert seed.returncode != 0 and "Unknown command: 'seed_city'" in seed.stderr
    assert logins.returncode != 0 and "Unknown command: 'demo_logins'" in logins.stderr


def test_development_settings_install_the_demo_with_its_commands():
    installed = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.INSTALLED_APPS)",
        JILIANG_DEV="1",
    )
    seed = _manage("seed_city", "--help", JILIANG_DEV="1")

    assert installed.returncode == 0, installed.stderr
    assert "'jiliang.demo'" in installed.stdout
    assert seed.returncode == 0, seed.stderr
    assert "--seed" in seed.stdout
