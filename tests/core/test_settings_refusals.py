"""Production settings (the environment without JILIANG_DEV): what refuses to start, and `check --deploy`.

Each test imports ``jiliang.settings`` (or runs ``manage.py``) in a child process with an environment built from
nothing, so that the test run's own JILIANG_DEV=1 cannot leak in.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(48)
PRODUCTION = {
    "SECRET_KEY": GOOD_KEY,
    "JILIANG_PUBLIC_BASE_URL": "https://jiliang.example.gov.cn",
    "ALLOWED_HOSTS": "jiliang.example.gov.cn",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}
SHOWN = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "JILIANG_PUBLIC_BASE_URL",
    "JILIANG_CLIENT_IP_HEADER",
]
PRINT_SETTINGS = f"import json, jiliang.settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {SHOWN!r}}}))"


def _env(**overrides: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
    env.update(overrides)
    return env


def _import_settings(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=60
    )


def _settings(**env: str) -> dict:
    done = _import_settings(**env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _refused(message: str, **env: str) -> None:
    done = _import_settings(**env)
    assert done.returncode != 0, done.stdout
    assert "ImproperlyConfigured" in done.stderr
    assert message in done.stderr, done.stderr[-600:]


def test_production_starts_with_a_long_random_key_and_a_public_base_url():
    values = _settings(**PRODUCTION)
    assert values["DEBUG"] is False
    assert values["JILIANG_PUBLIC_BASE_URL"] == "https://jiliang.example.gov.cn"


def test_production_refuses_to_start_without_a_secret_key():
    _refused("SECRET_KEY is not set", **{k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("short-but-random-Zx81qPlm", "at least 50 characters"),
        ("ab" * 40, "at least 5 different characters"),
        ("dev-only-insecure-key-do-not-use-in-production-" + "x" * 20, "development key"),
        ("django-insecure-" + secrets.token_urlsafe(48), "development key"),
    ],
    ids=["short", "low-entropy", "ours-for-development", "django-startproject"],
)
def test_production_refuses_a_weak_or_known_development_secret_key(key, why):
    _refused(why, **{**PRODUCTION, "SECRET_KEY": key})


def test_a_refused_secret_key_is_never_printed():
    key = "Short-Secret-Value-123"
    done = _import_settings(**{**PRODUCTION, "SECRET_KEY": key})
    assert done.returncode != 0
    assert key not in done.stderr


def test_production_requires_the_public_base_url_signed_into_every_qr_code():
    _refused("JILIANG_PUBLIC_BASE_URL", **{k: v for k, v in PRODUCTION.items() if k != "JILIANG_PUBLIC_BASE_URL"})


@pytest.mark.parametrize(
    "url",
    [
        "jiliang.example.gov.cn",
        "ftp://jiliang.example.gov.cn",
        "https://",
        "https://jiliang.example.gov.cn/check/",
        "https://jiliang.example.gov.cn/?a=1",
        "https://jiliang.example.gov.cn:notaport",
    ],
)
def test_the_public_base_url_must_be_the_absolute_http_url_of_the_site_root(url):
    _refused("JILIANG_PUBLIC_BASE_URL", **{**PRODUCTION, "JILIANG_PUBLIC_BASE_URL": url})


def test_the_public_base_url_must_be_served_by_an_allowed_host():
    """A QR code whose host Django refuses (400) would be printed on every certificate."""
    _refused("ALLOWED_HOSTS", **{**PRODUCTION, "ALLOWED_HOSTS": "intranet.example.gov.cn"})
    assert _settings(**{**PRODUCTION, "ALLOWED_HOSTS": ".example.gov.cn"})["DEBUG"] is False


def test_a_trailing_slash_on_the_public_base_url_is_accepted():
    values = _settings(**{**PRODUCTION, "JILIANG_PUBLIC_BASE_URL": "https://jiliang.example.gov.cn:8443/"})
    assert values["JILIANG_PUBLIC_BASE_URL"] == "https://jiliang.example.gov.cn:8443/"


def test_production_defaults_are_https_only():
    values = _settings(**PRODUCTION)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and values["SECURE_HSTS_PRELOAD"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_proxy_header_is_trusted_only_when_set():
    """Trusting X-Forwarded-Proto on a server that nginx does not front would let any client claim HTTPS."""
    values = _settings(**{k: v for k, v in PRODUCTION.items() if k != "SECURE_PROXY_SSL_HEADER"})
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_https_settings_come_from_the_environment():
    values = _settings(
        **PRODUCTION,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        SECURE_HSTS_PRELOAD="false",
        SECURE_COOKIES="0",
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and values["SECURE_HSTS_PRELOAD"] is False
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"),
        ("SECURE_HSTS_SECONDS", "-1"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("SECURE_SSL_REDIRECT", "maybe"),
        ("JILIANG_CLIENT_IP_HEADER", "X Real IP"),
    ],
)
def test_a_bad_value_stops_the_process_naming_the_variable(name, value):
    _refused(name, **{**PRODUCTION, name: value})


def test_development_mode_serves_plain_http_with_the_development_key():
    """What `make demo` runs: JILIANG_DEV=1 and DEBUG off, on http://127.0.0.1."""
    values = _settings(JILIANG_DEV="1")
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["JILIANG_PUBLIC_BASE_URL"] == "http://127.0.0.1:8000"


def test_the_live_server_combination_of_other_tests_keeps_working():
    """Tests that start gunicorn use DEBUG=0, JILIANG_DEV=1, a random key, a base URL and SECURE_COOKIES=0."""
    values = _settings(
        DEBUG="0",
        JILIANG_DEV="1",
        SECRET_KEY=secrets.token_hex(32),
        JILIANG_PUBLIC_BASE_URL="http://127.0.0.1:8765",
        SECURE_COOKIES="0",
    )
    assert values["DEBUG"] is False and values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(**PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
