"""Django settings for jiliang.

Every setting that differs between machines comes from the environment through the small typed helpers
below, which fail loudly on a bad value instead of guessing.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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


DEBUG = env_bool("DEBUG", False)
# A development key only when DEBUG is on; production refuses to start without its own.
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if DEBUG or env_bool("JILIANG_DEV", False):
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("SECRET_KEY is not set. Set it, or set DEBUG=1 / JILIANG_DEV=1 for development.")

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
    "jiliang.core",
    "jiliang.catalog",
    "jiliang.instruments",
    "jiliang.people",
    "jiliang.standards",
    "jiliang.verification",
    "jiliang.notices",
    "jiliang.portal",
    "jiliang.indicators",
    "jiliang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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

# The one window's statutory limits, in working days (the calendar of jiliang.metrology.draw): an institute
# accepts or refuses a request within the first, and completes an accepted one within the second.
JILIANG_ACCEPT_WORKING_DAYS = env_int("JILIANG_ACCEPT_WORKING_DAYS", 5)
JILIANG_COMPLETE_WORKING_DAYS = env_int("JILIANG_COMPLETE_WORKING_DAYS", 15)
# The Ed25519 key that signs certificates (PEM, PKCS#8). Development creates one under var/keys on first use;
# a production deployment sets the path and keeps the file out of the web root and out of backups of the code.
JILIANG_SIGNING_KEY_FILE = env_str(
    "JILIANG_SIGNING_KEY_FILE", str(BASE_DIR / "var" / "keys" / "certificate-signing.pem")
)
# Where the public check page lives, as printed in the QR code on a certificate.
JILIANG_PUBLIC_BASE_URL = env_str("JILIANG_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Typed-number lookups on the public check page per client address per minute.
JILIANG_PUBLIC_CHECK_PER_MINUTE = env_int("JILIANG_PUBLIC_CHECK_PER_MINUTE", 10)
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

# Import progress lives in the cache, so it must be shared by every server process: a file cache by default.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL == "":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }
else:
    raise ImproperlyConfigured(f"CACHE_URL must be empty (file cache under var/) or locmem://, got {CACHE_URL!r}")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not env_bool("JILIANG_DEV", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
