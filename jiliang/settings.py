"""Django settings for jiliang.

Every setting that differs between machines comes from the environment through the small typed helpers
below, which fail loudly on a bad value instead of guessing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.http import is_same_domain

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


# -- Production or development ---------------------------------------------------------------------------------------
# One settings file for both: production is the environment *without* JILIANG_DEV, and every default below is the
# safe one for it (HTTPS only, a real secret key, the public address given). Development (`make demo`, `make dev`,
# the tests) opts out with one flag. A second settings module would be a second place where a safety setting can be
# forgotten, and tests would then run on settings that production never uses.
JILIANG_DEV = env_bool("JILIANG_DEV", False)
DEBUG = env_bool("DEBUG", False)
if DEBUG and not JILIANG_DEV:
    # The debug pages list every URL pattern and local variables: never on a server someone else can reach.
    raise ImproperlyConfigured("DEBUG=1 is for development only: set JILIANG_DEV=1 as well (never in production).")

# Keys a production server must never run with: ours for development, and the prefix of Django's startproject key.
_DEVELOPMENT_KEY = "dev-only-insecure-key-do-not-use-in-production"
_KNOWN_KEY_PREFIXES = ("dev-only-insecure-key", "django-insecure-")
_KEY_ADVICE = "Create one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def production_secret_key_problem(key: str) -> str:
    """Why ``key`` must not sign a production server's sessions and tokens, or "" if it may.

    The thresholds are those of ``check --deploy`` (security.W009), so that a server that starts never warns.
    """
    if key.startswith(_KNOWN_KEY_PREFIXES):
        return "SECRET_KEY is a known development key"
    if len(key) < 50:
        return "SECRET_KEY is too short: production needs at least 50 characters"
    if len(set(key)) < 5:
        return "SECRET_KEY is too predictable: production needs at least 5 different characters"
    return ""


SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if not JILIANG_DEV:
        raise ImproperlyConfigured(f"SECRET_KEY is not set. {_KEY_ADVICE} (or set JILIANG_DEV=1 for development).")
    SECRET_KEY = _DEVELOPMENT_KEY
elif not JILIANG_DEV and (problem := production_secret_key_problem(SECRET_KEY)):
    # The message never repeats the key: it ends up in logs and in the journal.
    raise ImproperlyConfigured(f"{problem}; refusing to start. {_KEY_ADVICE}")


def env_header(name: str) -> str:
    """An HTTP header name (e.g. ``X-Forwarded-Proto``) as Django's ``request.META`` key, or "" when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", raw):
        raise ImproperlyConfigured(f"{name} must be one HTTP header name such as X-Forwarded-Proto, got {raw!r}")
    return "HTTP_" + raw.upper().replace("-", "_")


def env_site_url(name: str, default: str | None, *, allowed_hosts: list[str] | None) -> str:
    """The absolute http(s) URL of the site's root (no path, query or user), e.g. ``https://jiliang.example.gov.cn``.

    With ``allowed_hosts``, its host must also be one that Django serves (else every link to it answers 400).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        if default is None:
            raise ImproperlyConfigured(
                f"{name} is not set. Production needs the public address of this site, e.g. "
                f"{name}=https://jiliang.example.gov.cn: it is signed into every certificate's QR code."
            )
        return default
    problem = f"{name} must be the absolute http(s) URL of the site's root, e.g. https://jiliang.example.gov.cn"
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{problem}; got {raw!r}") from exc
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or parts.username is not None
    ):
        raise ImproperlyConfigured(f"{problem}; got {raw!r}")
    if allowed_hosts is not None and not any(p == "*" or is_same_domain(parts.hostname, p) for p in allowed_hosts):
        raise ImproperlyConfigured(
            f"{name} names host {parts.hostname!r}, which is not in ALLOWED_HOSTS {allowed_hosts}"
        )
    return raw


ALLOWED_HOSTS = [h.strip() for h in env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "ninja",
    "axes",
    "jiliang.core",
    "jiliang.catalog",
    "jiliang.instruments",
    "jiliang.people",
    "jiliang.standards",
    "jiliang.verification",
    "jiliang.supervision",
    "jiliang.notices",
    "jiliang.portal",
    "jiliang.indicators",
]
# The synthetic city (seed_city, demo_logins) only in development (make demo, make dev, the tests): a production
# server must not carry commands that fill its database with made-up owners and print logins with known passwords.
if JILIANG_DEV:
    INSTALLED_APPS.append("jiliang.demo")

MIDDLEWARE = [
    # First: every later middleware (and the per-address limits) must see the client's address, not nginx's.
    "jiliang.core.proxy.ClientAddressFromProxy",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, which answers static files itself: a policy header is for documents.
    "jiliang.core.csp.ContentSecurityPolicy",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiliang.core.middleware.ChineseUnlessChosen",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "jiliang.core.middleware.LoginRequiredByDefault",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiliang.urls"
WSGI_APPLICATION = "jiliang.wsgi.application"
ASGI_APPLICATION = "jiliang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jiliang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiliang.core.context_processors.navigation",
                "jiliang.catalog.context_processors.data_confidence",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN so two writers
    # queue instead of failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-200000;"
        " PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1073741824;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttle (django-axes) and API tokens. A username is locked after JILIANG_LOGIN_FAILURES_PER_USERNAME
# failures from any address, an address after JILIANG_LOGIN_FAILURES_PER_ADDRESS failures across usernames (more:
# a bureau's whole office may share one address). A failure is forgotten JILIANG_LOGIN_LOCK_MINUTES after the last
# failure of the same username from the same address, so a lock ends that long after the last failure, or at once
# by `manage.py unlock_login` or the admin's action. The check runs in the first authentication backend, before any
# password hash; jiliang.core.login_throttle has the two limits, the audit of logins and the lock message.


def _at_least(name: str, floor: int, default: int) -> int:
    value = env_int(name, default)
    if value < floor:
        raise ImproperlyConfigured(f"{name} must be at least {floor}, got {value}")
    return value


JILIANG_LOGIN_FAILURES_PER_USERNAME = _at_least("JILIANG_LOGIN_FAILURES_PER_USERNAME", 1, 5)
JILIANG_LOGIN_FAILURES_PER_ADDRESS = _at_least("JILIANG_LOGIN_FAILURES_PER_ADDRESS", 1, 20)
JILIANG_LOGIN_LOCK_MINUTES = _at_least("JILIANG_LOGIN_LOCK_MINUTES", 1, 15)
# API tokens: the lifetime in days when none is asked for, and the longest `issue_token --days` or the token page
# may give.
JILIANG_API_TOKEN_DAYS = _at_least("JILIANG_API_TOKEN_DAYS", 1, 90)
JILIANG_API_TOKEN_MAX_DAYS = _at_least("JILIANG_API_TOKEN_MAX_DAYS", JILIANG_API_TOKEN_DAYS, 365)
AUTHENTICATION_BACKENDS = [
    # First, so that a locked username or address is refused before ModelBackend hashes the password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "jiliang.core.login_throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# axes compares one count with one limit (the username's); LoginThrottleHandler maps the address count onto it.
# Both are read from the JILIANG_ settings above when used.
AXES_FAILURE_LIMIT = "jiliang.core.login_throttle.username_limit"
AXES_COOLOFF_TIME = "jiliang.core.login_throttle.lock_time"
# Refused attempts during a lock neither count nor prolong it, so the time the message names stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success clears only that username's failures from that address (in the handler): axes' own reset would also
# clear the address's failures on other usernames, so one known account would reset the address counter.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "jiliang.core.login_throttle.client_address"
AXES_LOCKOUT_CALLABLE = "jiliang.core.login_throttle.lockout_response"
# Logins are in the audit log (with a keyed hash of the address); axes' own logs would keep raw addresses forever.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# The admin's attempts list is core's (read-only, with the audited unlock action); axes' own allows silent deletes.
AXES_ENABLE_ADMIN = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "jiliang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "jiliang" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
# Largest spreadsheet accepted for import, in bytes.
JILIANG_IMPORT_MAX_BYTES = env_int("JILIANG_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# Imports of at most this many rows run in the request; larger ones in a background thread with a progress bar.
JILIANG_IMPORT_INLINE_ROWS = env_int("JILIANG_IMPORT_INLINE_ROWS", 5000)
JILIANG_IMPORT_MAX_ROWS = env_int("JILIANG_IMPORT_MAX_ROWS", 200_000)
# What one uploaded spreadsheet may cost (jiliang/instruments/sheet_worker.py). An .xlsx is a zip of XML parts:
# the sizes below are inflated sizes, checked as the zip declares them and again while inflating. The sheet is
# read in a child process with its own memory, CPU and wall-clock limits, so a file that escapes the checks
# costs one refused import, never the server. The defaults let a 200 000-row file through (its sheet is about
# 150 MB of XML at a ratio of about 15:1, and its reader peaks under 1 GB); keep the server's request timeout
# above the wall-clock limit.
JILIANG_IMPORT_MAX_MEMBERS = env_int("JILIANG_IMPORT_MAX_MEMBERS", 1000)
JILIANG_IMPORT_MAX_PART_BYTES = env_int("JILIANG_IMPORT_MAX_PART_BYTES", 512 * 1024 * 1024)
JILIANG_IMPORT_MAX_UNPACKED_BYTES = env_int("JILIANG_IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
# Inflated size to compressed size, for parts over 1 MB and for the whole file.
JILIANG_IMPORT_MAX_RATIO = env_int("JILIANG_IMPORT_MAX_RATIO", 100)
# The template has 12 columns and an export 18; the rest is room for a few columns of the owner's own.
JILIANG_IMPORT_MAX_COLUMNS = env_int("JILIANG_IMPORT_MAX_COLUMNS", 64)
JILIANG_IMPORT_MAX_SHARED_STRINGS = env_int("JILIANG_IMPORT_MAX_SHARED_STRINGS", 3_000_000)
JILIANG_IMPORT_READER_MEMORY_BYTES = env_int("JILIANG_IMPORT_READER_MEMORY_BYTES", 2 * 1024 * 1024 * 1024)
JILIANG_IMPORT_READER_CPU_SECONDS = env_int("JILIANG_IMPORT_READER_CPU_SECONDS", 30)
JILIANG_IMPORT_READER_TIMEOUT_SECONDS = env_int("JILIANG_IMPORT_READER_TIMEOUT_SECONDS", 60)
# Uploaded files (MEDIA_ROOT/imports/): a refused file is deleted as soon as its report is stored; any other is
# deleted by the daily `manage.py cleanup_uploads` this many days after its import finished (0: the next run).
JILIANG_UPLOAD_RETENTION_DAYS = env_int("JILIANG_UPLOAD_RETENTION_DAYS", 7)
# Where uploaded files are kept (a backup holds them with the database); by default var/media in the checkout.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(MEDIA_ROOT)))
for _name in (
    "JILIANG_IMPORT_MAX_MEMBERS",
    "JILIANG_IMPORT_MAX_PART_BYTES",
    "JILIANG_IMPORT_MAX_UNPACKED_BYTES",
    "JILIANG_IMPORT_MAX_RATIO",
    "JILIANG_IMPORT_MAX_COLUMNS",
    "JILIANG_IMPORT_MAX_SHARED_STRINGS",
    "JILIANG_IMPORT_READER_MEMORY_BYTES",
    "JILIANG_IMPORT_READER_CPU_SECONDS",
    "JILIANG_IMPORT_READER_TIMEOUT_SECONDS",
):
    if globals()[_name] <= 0:
        raise ImproperlyConfigured(f"{_name} must be a positive integer, got {globals()[_name]}")
del _name
if JILIANG_UPLOAD_RETENTION_DAYS < 0:
    raise ImproperlyConfigured(f"JILIANG_UPLOAD_RETENTION_DAYS must be 0 or more, got {JILIANG_UPLOAD_RETENTION_DAYS}")
JILIANG_EXPORT_MAX_ROWS = env_int("JILIANG_EXPORT_MAX_ROWS", 200_000)
# Days before the due date from which an instrument counts as "due soon".
JILIANG_DUE_SOON_DAYS = env_int("JILIANG_DUE_SOON_DAYS", 30)
# Days an instrument may stay stopped as failed (停用（检定不合格）) before the early-warning center lists it: by then
# it should have been repaired and verified again with a pass, or scrapped.
JILIANG_FAILED_RESOLVE_DAYS = env_int("JILIANG_FAILED_RESOLVE_DAYS", 30)
if JILIANG_FAILED_RESOLVE_DAYS <= 0:
    raise ImproperlyConfigured(
        f"JILIANG_FAILED_RESOLVE_DAYS must be a positive integer, got {JILIANG_FAILED_RESOLVE_DAYS}"
    )

# Supervision (issue 15), inspections: spot-check results are published within this many working days of the
# result (企业信息公示暂行条例 Art. 6; the spot-check wording is unconfirmed, docs/reference/cases.md), and a photo or
# scan attached to an inspection or a rectification's reply is at most this many bytes (checked before it is read).
SUPERVISION_RESULT_PUBLICATION_DAYS = _at_least("SUPERVISION_RESULT_PUBLICATION_DAYS", 1, 20)
SUPERVISION_ATTACHMENT_MAX_BYTES = _at_least("SUPERVISION_ATTACHMENT_MAX_BYTES", 1, 10 * 1024 * 1024)

# The one window's statutory limits, in working days (the calendar of jiliang.metrology.draw): an institute
# accepts or refuses a request within the first, and completes an accepted one within the second.
JILIANG_ACCEPT_WORKING_DAYS = env_int("JILIANG_ACCEPT_WORKING_DAYS", 5)
JILIANG_COMPLETE_WORKING_DAYS = env_int("JILIANG_COMPLETE_WORKING_DAYS", 15)
# Supervision (issue 15): a penalty decision's fine at or below this many yuan is a "较低数额罚款" and is published
# for 3 months instead of 3 years (总局令第45号). The threshold is set by each province; the default 10000 is NOT
# confirmed for any province (unconfirmed: a placeholder until the province's figure is entered).
SUPERVISION_SMALL_FINE_LIMIT = env_int("SUPERVISION_SMALL_FINE_LIMIT", 10000)
if SUPERVISION_SMALL_FINE_LIMIT < 0:
    raise ImproperlyConfigured(f"SUPERVISION_SMALL_FINE_LIMIT must be 0 or more, got {SUPERVISION_SMALL_FINE_LIMIT}")
# The Ed25519 key that signs certificates (PEM, PKCS#8). Development creates one under var/keys on first use;
# a production deployment sets the path and keeps the file out of the web root and out of backups of the code.
JILIANG_SIGNING_KEY_FILE = env_str(
    "JILIANG_SIGNING_KEY_FILE", str(BASE_DIR / "var" / "keys" / "certificate-signing.pem")
)
# The public keys the platform trusts besides the current key's own (retired keys, so that certificates signed
# before a key rotation still verify): the file the institute publishes, written by `manage.py export_public_keys`.
# Trust comes from this file and the key file, never from the database. A missing file adds no key; an empty value
# disables it.
JILIANG_TRUSTED_KEYS_FILE = env_str("JILIANG_TRUSTED_KEYS_FILE", str(BASE_DIR / "var" / "keys" / "public-keys.json"))
# Where the public check page lives, as printed in the QR code on a certificate. It is signed into every certificate,
# so a wrong value spoils certificates for good: production requires it; development defaults to the local server.
JILIANG_PUBLIC_BASE_URL = env_site_url(
    "JILIANG_PUBLIC_BASE_URL",
    "http://127.0.0.1:8000" if JILIANG_DEV else None,
    allowed_hosts=None if JILIANG_DEV else ALLOWED_HOSTS,
)
# Typed-number lookups on the public check page per client address per minute.
JILIANG_PUBLIC_CHECK_PER_MINUTE = env_int("JILIANG_PUBLIC_CHECK_PER_MINUTE", 10)
# Certificate numbers are sequential, so typed numbers are also capped per day (the city's local day): per client
# address, and per number prefix (the number without its sequence, e.g. CSJL-2026-JD-: one institute's
# certificates of one kind and year) from all addresses together. What this protects, and what it does not:
# jiliang/portal/services.py. QR links (unguessable tokens) are never limited.
JILIANG_PUBLIC_CHECK_PER_DAY = env_int("JILIANG_PUBLIC_CHECK_PER_DAY", 100)
JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY = env_int("JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY", 500)
for _name in ("JILIANG_PUBLIC_CHECK_PER_MINUTE", "JILIANG_PUBLIC_CHECK_PER_DAY", "JILIANG_PUBLIC_CHECK_PER_PREFIX_DAY"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1, got {globals()[_name]}")
# The CJK font embedded in certificate PDFs (TrueType outlines; copied from the npm registry by `make assets`).
JILIANG_PDF_FONT = env_str(
    "JILIANG_PDF_FONT", str(BASE_DIR / "jiliang" / "static" / "vendor" / "fonts" / "NotoSansSC-Regular.ttf")
)
JILIANG_PDF_FONT_BOLD = env_str(
    "JILIANG_PDF_FONT_BOLD", str(BASE_DIR / "jiliang" / "static" / "vendor" / "fonts" / "NotoSansSC-Bold.ttf")
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "jiliang@localhost")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Days before the due date on which send_reminders reminds an owner (and the day after it, "just overdue").
try:
    JILIANG_REMINDER_DAYS = tuple(int(d) for d in env_str("JILIANG_REMINDER_DAYS", "30,15,7").split(",") if d.strip())
except ValueError as exc:
    raise ImproperlyConfigured("JILIANG_REMINDER_DAYS must be whole numbers separated by commas, e.g. 30,15,7") from exc
# Text messages (SMS, WeChat template messages) to owners: the class that sends them (jiliang/notices/sms.py says
# what it must do). The default writes each message to the log and sends nothing: a city names its provider's class.
JILIANG_SMS_BACKEND = env_str("JILIANG_SMS_BACKEND", "jiliang.notices.sms.LogBackend")
if not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+", JILIANG_SMS_BACKEND):
    raise ImproperlyConfigured(
        f"JILIANG_SMS_BACKEND must be a dotted path to a class, e.g. jiliang.notices.sms.LogBackend, "
        f"got {JILIANG_SMS_BACKEND!r}"
    )

# Import progress lives in the cache, so it must be shared by every server process: a file cache by default, or
# Redis (redis://, rediss:// or unix://, Django's own RedisCache), which the public check's rate limit then uses
# too (otherwise it counts in the database). CACHE_KEY_PREFIX keeps two deployments on one Redis apart.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "jiliang"),
        }
    }
elif CACHE_URL == "":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }
else:
    raise ImproperlyConfigured(
        f"CACHE_URL must be empty (file cache under var/), locmem:// or redis://host:port/db, got {CACHE_URL!r}"
    )

# -- HTTPS, cookies, the reverse proxy, Content-Security-Policy ---------------------------------------------------
# Production defaults are HTTPS only; development (`make demo`: plain HTTP on 127.0.0.1) turns them off. Each can be
# overridden from the environment, e.g. a first deployment that tries HSTS for an hour: SECURE_HSTS_SECONDS=3600.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not JILIANG_DEV)
# One year, this host and its subdomains, and eligible for the browsers' preload list (which needs a submission
# at hstspreload.org as well: the header alone enrols nobody). Browsers keep it: docs/operations.md says when not to.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if JILIANG_DEV else 31_536_000)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured(f"SECURE_HSTS_SECONDS must be 0 or more seconds, got {SECURE_HSTS_SECONDS}")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not JILIANG_DEV)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not JILIANG_DEV)
# The header by which nginx tells Django that the client used HTTPS (SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto, value
# "https"). Unset by default: trusted on a server that is reached without the proxy, any client could claim HTTPS.
_PROXY_SSL_HEADER = env_header("SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
# The header in which nginx passes the client's address (JILIANG_CLIENT_IP_HEADER=X-Real-IP). Behind a proxy every
# request comes from the proxy's address, so the per-address limits (public check, login) would count the whole city
# as one client; jiliang.core.proxy puts the client's address in REMOTE_ADDR. Same caveat as above: only behind nginx.
JILIANG_CLIENT_IP_HEADER = env_header("JILIANG_CLIENT_IP_HEADER")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not JILIANG_DEV)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): only our own files run or style a page. Nothing is inline: scripts and
# stylesheets are static files, chart data travels in json_script blocks (data, never run), htmx is told not to inject
# its indicator <style> (base.html's htmx-config; its rules are in app.css), so no nonce is needed and none is sent.
# A page that loads ECharts also allows inline style attributes for its tooltips (jiliang/core/csp.py says why).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        # Anything not named below (frames, media, workers, plugins, manifests) is refused.
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        # One constant style attribute in a template of django-simple-history (the admin's history page), allowed by
        # its hash; every other style attribute is refused (tests/core/test_settings_serving.py checks the hash).
        "style-src-attr": ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        "img-src": [SELF],
        "font-src": [SELF],
        # htmx's requests go back to this site only.
        "connect-src": [SELF],
        "form-action": [SELF],
        # Never framed (as X_FRAME_OPTIONS), and no <base> that would re-point relative links.
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    },
}
# Files served at the site's root (favicon.ico, which browsers ask for on pages that name no icon: the admin's).
WHITENOISE_ROOT = BASE_DIR / "jiliang" / "static" / "root"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # The default text-message backend's one line per message (jiliang.notices.sms.LogBackend) is its whole output:
    # logged at INFO whatever LOG_LEVEL is, so that a deployment without a provider shows what was not sent.
    "loggers": {"jiliang.notices.sms": {"level": "INFO"}},
}
