"""Django settings for Accord.

12-factor: every knob is an ``ACCORD_*`` environment variable (see ``accord.config`` and
`.env.example`). Nothing secret lives in code: the secret key is generated into the data
directory on first run unless ACCORD_SECRET_KEY is set.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from accord import config

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parent.parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("DEBUG", False)
ALLOWED_HOSTS = config.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])
BASE_URL = config.env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Behind a TLS-terminating proxy: set ACCORD_SECURE=true (HTTPS-only cookies, HSTS, redirect).
SECURE = config.env_bool("SECURE", False)
if config.env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and not config.env_bool("NO_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = config.env_int("SESSION_AGE", 14 * 24 * 3600)

# --- Web server (accord serve / accord web run gunicorn with these) --------------------------
ACCORD_HOST = config.env_str("HOST", "127.0.0.1")
ACCORD_PORT = config.env_int("PORT", 8000)
ACCORD_WEB_WORKERS = config.env_int("WEB_WORKERS", 2)  # processes
ACCORD_WEB_THREADS = config.env_int("WEB_THREADS", 4)  # threads per process
ACCORD_WEB_TIMEOUT = config.env_int("WEB_TIMEOUT", 60)  # seconds before a stuck worker restarts
# Proxies whose X-Forwarded-* headers gunicorn trusts (comma-separated IPs, or * for any).
ACCORD_FORWARDED_ALLOW_IPS = config.env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

INSTALLED_APPS = [
    "accord.core",
    "accord.accounts",
    "accord.search",
    "accord.contacts",
    "accord.sales",
    "accord.lists",
    "accord.web",
    "accord.api",
    "accord.background",
    "accord.notifications",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ninja",  # serves the interactive API docs from its bundled static files, not a CDN
]

MIDDLEWARE = [
    "accord.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accord.accounts.sessions.UserSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accord.core.middleware.UserTimezoneMiddleware",
    "accord.core.audit.middleware.AuditContextMiddleware",
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"
ASGI_APPLICATION = "accord.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accord.web.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default, tuned for several processes (WAL, IMMEDIATE transactions, busy timeout);
# ACCORD_DATABASE_URL=postgres://user:pass@host:5432/name switches to PostgreSQL.
DATABASE_URL = config.env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=config.env_int("DB_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": config.env_str("SQLITE_PATH", str(DATA_DIR / "accord.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": config.env_int("SQLITE_BUSY_TIMEOUT", 20),
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA mmap_size=268435456;"
                    "PRAGMA cache_size=-65536;"
                ),
            },
        }
    }
# In tests, pytest uses ACCORD_TEST_DATABASE_URL (see tests/conftest.py).

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = config.env_str("LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = config.env_str("TIME_ZONE", "UTC")
# Default region for phone numbers written without a country code (ISO 3166-1, e.g. "DE").
ACCORD_PHONE_REGION = config.env_str("PHONE_REGION", "").upper() or None
# The currency every deal total, forecast and report is converted to (ISO 4217).
ACCORD_BASE_CURRENCY = config.env_str("BASE_CURRENCY", "USD").upper()
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end packages are installed by npm into node_modules and collected from there.
STATICFILES_DIRS = [("vendor", PROJECT_ROOT / "node_modules")]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "files"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email ---------------------------------------------------------------------------------
EMAIL_BACKEND = config.env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = config.env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = config.env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = config.env_str("EMAIL_USER")
EMAIL_HOST_PASSWORD = config.env_str("EMAIL_PASSWORD")
EMAIL_USE_TLS = config.env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = config.env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = config.env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = config.env_str("EMAIL_FROM", "Accord <accord@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background jobs ---------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "imports", "exports", "mail"],
    }
}

# --- Cache ----------------------------------------------------------------------------------
# Shared by every process (rate limits, throttles): ACCORD_CACHE_URL=redis://host:6379/0 uses
# Redis; without it a table in the database (created by `accord migrate`). locmem:// keeps the
# cache inside one process (tests, single-process development only).
CACHE_URL = config.env_str("CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "accord",
        }
    }
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL:
    raise config.ConfigError(
        f"ACCORD_CACHE_URL={CACHE_URL!r}: expected redis://, rediss://, unix:// or locmem://"
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "accord.core.api.cache.DatabaseCache",
            "LOCATION": "accord_cache",
        }
    }

# Jobs are run by `accord worker` (see docs/jobs.md). Finished jobs, periodic runs and
# idempotency keys older than this many days are pruned daily (0 keeps them forever).
ACCORD_JOB_RETENTION_DAYS = config.env_int("JOB_RETENTION_DAYS", 14)
# Each worker refreshes its heartbeat this often; a worker silent for WORKER_TIMEOUT_SECONDS
# is considered lost and its running job is put back in the queue for another worker.
ACCORD_WORKER_HEARTBEAT_SECONDS = config.env_int("WORKER_HEARTBEAT_SECONDS", 5)
ACCORD_WORKER_TIMEOUT_SECONDS = config.env_int("WORKER_TIMEOUT_SECONDS", 60)

# --- API -------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
ACCORD_API_RATE_LIMIT = config.env_int("API_RATE_LIMIT", 600)  # requests per minute per token
ACCORD_API_RATE_WINDOW = 60

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = config.env_str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = config.env_str("LOG_FORMAT", "text")  # text | json
if LOG_FORMAT not in ("text", "json"):
    raise config.ConfigError(f"ACCORD_LOG_FORMAT={LOG_FORMAT!r}: expected text or json")
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise config.ConfigError(
        f"ACCORD_LOG_LEVEL={LOG_LEVEL!r}: expected DEBUG, INFO, WARNING, ERROR or CRITICAL"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # Adds request_id (from accord.core.middleware.RequestIdMiddleware) to every record.
        "request_id": {"()": "accord.core.middleware.RequestIdLogFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Accord ----------------------------------------------------------------------------------
ACCORD_AUDIT_RETENTION_DAYS = config.env_int("AUDIT_RETENTION_DAYS", 0)  # 0 keeps forever
# Sign-in lock-out: this many failures for one email from one address within the window lock
# that pair for LOGIN_LOCKOUT_MINUTES. Invitation links expire after INVITATION_DAYS.
ACCORD_LOGIN_MAX_FAILURES = config.env_int("LOGIN_MAX_FAILURES", 5)
ACCORD_LOGIN_WINDOW_MINUTES = config.env_int("LOGIN_WINDOW_MINUTES", 15)
ACCORD_LOGIN_LOCKOUT_MINUTES = config.env_int("LOGIN_LOCKOUT_MINUTES", 15)
ACCORD_INVITATION_DAYS = config.env_int("INVITATION_DAYS", 7)
PASSWORD_RESET_TIMEOUT = config.env_int("PASSWORD_RESET_HOURS", 72) * 3600
