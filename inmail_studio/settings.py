"""Settings for InMail Studio, read from the environment.

Every variable is listed in `.env.example`. Development defaults are safe to run
on a laptop; `DJANGO_ENV=production` refuses to start without the secrets and
hosts a real deployment must provide.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


ENVIRONMENT = env("DJANGO_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
TESTING = env_bool("INMAIL_TESTING", False)

if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not env(name)]
    if missing:
        raise ImproperlyConfigured(f"Production needs these environment variables: {', '.join(missing)}.")

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - refused in production
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION and not TESTING)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "csp",
    "inmail_studio.accounts",
    "inmail_studio.ads",
    "inmail_studio.review",
    "inmail_studio.linkedin",
    "inmail_studio.sandbox",
    "inmail_studio.guidance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "inmail_studio.urls"
WSGI_APPLICATION = "inmail_studio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inmail_studio.accounts.context_processors.navigation",
                "inmail_studio.review.context_processors.review_nav",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
# A statement that runs longer than this is cancelled (PostgreSQL; 0 = no limit): a save stuck behind a
# lock answers with the form and everything typed, and "try again", instead of hanging a worker.
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 0)
if DATABASE_STATEMENT_TIMEOUT_MS and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`: the web server, a Celery worker and beat share the SQLite file. WAL lets readers
    # work beside a writer, IMMEDIATE takes the write lock when a transaction begins (so two writers
    # queue instead of failing on an upgrade), and a writer waits up to 20 s for another.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = (
    [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    ]
    if PRODUCTION
    else []
)
if TESTING:
    # Hashing cost is not what the tests are about.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "ads:list"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production WhiteNoise serves straight from the finders, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# Media is served by Django itself outside production (and by the web server in production).
SERVE_MEDIA = env_bool("SERVE_MEDIA", not PRODUCTION)
FILE_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "InMail Studio <studio@localhost>")
# Review emails go out from a Celery task through an outbox row each (review.models.OutgoingEmail):
# a relay that hangs is given up on after EMAIL_TIMEOUT seconds and the email is tried again later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
REVIEW_EMAIL_MAX_TRIES = env_int("REVIEW_EMAIL_MAX_TRIES", 8)

# Security headers. The preview frame is same-origin, so frames stay allowed from ourselves.
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
# A year of HSTS in production once TLS works; 0 turns it off (set it low for a first deploy).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# No inline script anywhere: all behaviour lives in static/js, htmx is vendored.
# htmx's own indicator <style> is switched off in base.html, so no inline style is needed either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Celery: with a broker URL, tasks go to Redis and a real worker; without one they run in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env(
    "CELERY_RESULT_BACKEND",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "cache+memory://",
)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
# --- Outbox and recovery (issue 12) ---
# Every job is an outbox row committed before its task is sent (see inmail_studio/dispatch.py); a
# task message is only a wake-up call. Nobody reads task results, so none are stored.
CELERY_TASK_IGNORE_RESULT = True
# A request that queues a job must not hang on a broker that is down: a couple of quick tries,
# then the failure is logged and the outbox sends the job when the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
elif CELERY_BROKER_URL.startswith("filesystem"):
    # `make run`'s embedded broker: Kombu's filesystem transport, messages as files in one folder
    # (no service, no dependency). It has no acknowledgements; the outbox makes up for that.
    _BROKER_DIR = Path(env("CELERY_FILESYSTEM_BROKER_DIR", str(BASE_DIR / ".run" / "broker")))
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "polling_interval": 0.5,
    }
# Presence in the editors: each open editor beats every EDIT_PRESENCE_BEAT_SECONDS; one silent for
# EDIT_PRESENCE_SECONDS no longer counts as open.
EDIT_PRESENCE_BEAT_SECONDS = env_int("EDIT_PRESENCE_BEAT_SECONDS", 15)
EDIT_PRESENCE_SECONDS = env_int("EDIT_PRESENCE_SECONDS", 45)
# How long a queued job's message may wait to be taken before beat sends it again, and how often
# beat looks for jobs whose deadline passed (and for ads whose state claims work nobody does).
OUTBOX_QUEUED_GRACE_SECONDS = env_int("OUTBOX_QUEUED_GRACE_SECONDS", 30)
OUTBOX_REQUEUE_SECONDS = env_int("OUTBOX_REQUEUE_SECONDS", 5)
CELERY_BEAT_SCHEDULE.update(
    {
        # Expiring: while no worker runs, the ticks don't pile up in the queue.
        "linkedin-requeue-stuck": {
            "task": "linkedin.requeue_stuck",
            "schedule": float(OUTBOX_REQUEUE_SECONDS),
            "options": {"expires": OUTBOX_REQUEUE_SECONDS * 2},
        },
        "review-requeue-emails": {
            "task": "review.requeue_emails",
            "schedule": float(OUTBOX_REQUEUE_SECONDS),
            "options": {"expires": OUTBOX_REQUEUE_SECONDS * 2},
        },
    }
)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("CACHE_URL")}
        if env("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# LinkedIn.
LINKEDIN_SANDBOX = env_bool("LINKEDIN_SANDBOX", not PRODUCTION)
LINKEDIN_CLIENT_ID = env("LINKEDIN_CLIENT_ID", "inmail-studio-dev")
LINKEDIN_CLIENT_SECRET = env("LINKEDIN_CLIENT_SECRET", "dev-secret-not-for-production")
# The sandbox's token lifetimes (LinkedIn's: 60 days and 365 days) and how long a "hang" fault waits.
SANDBOX_ACCESS_TOKEN_TTL = env_int("SANDBOX_ACCESS_TOKEN_TTL", 60 * 24 * 3600)
SANDBOX_REFRESH_TOKEN_TTL = env_int("SANDBOX_REFRESH_TOKEN_TTL", 365 * 24 * 3600)
SANDBOX_HANG_SECONDS = env_int("SANDBOX_HANG_SECONDS", 30)
LINKEDIN_API_VERSION = env("LINKEDIN_API_VERSION", "202610")
# Where the client sends API and OAuth calls: the sandbox under SITE_URL when it is on, LinkedIn otherwise.
LINKEDIN_API_BASE_URL = env(
    "LINKEDIN_API_BASE_URL",
    f"{SITE_URL}/sandbox/linkedin/rest" if LINKEDIN_SANDBOX else "https://api.linkedin.com/rest",
).rstrip("/")
LINKEDIN_OAUTH_BASE_URL = env(
    "LINKEDIN_OAUTH_BASE_URL",
    f"{SITE_URL}/sandbox/linkedin/oauth/v2" if LINKEDIN_SANDBOX else "https://www.linkedin.com/oauth/v2",
).rstrip("/")
# Fernet keys encrypting stored LinkedIn tokens, comma-separated, newest first (rotatable; never SECRET_KEY).
# Outside production a fixed development key is used so `make run` needs no setup.
LINKEDIN_TOKEN_KEYS = env_list("LINKEDIN_TOKEN_KEYS")
_DEV_TOKEN_KEY = "ZGV2ZWxvcG1lbnQtb25seS1saW5rZWRpbi10b2tlbnM="  # noqa: S105 - development only, refused in production
if not LINKEDIN_TOKEN_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Production needs LINKEDIN_TOKEN_KEYS (generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)."
        )
    LINKEDIN_TOKEN_KEYS = [_DEV_TOKEN_KEY]
if PRODUCTION:
    # Set on purpose or copied from a laptop's .env, each of these makes production unsafe:
    # known keys sign sessions and decrypt tokens, DEBUG shows settings, the sandbox mints tokens.
    unsafe = [
        name
        for name, bad in (
            ("SECRET_KEY", SECRET_KEY == _DEV_SECRET_KEY),
            ("LINKEDIN_TOKEN_KEYS", _DEV_TOKEN_KEY in LINKEDIN_TOKEN_KEYS),
            ("DEBUG", DEBUG),
            ("LINKEDIN_SANDBOX", LINKEDIN_SANDBOX),
        )
        if bad
    ]
    if unsafe:
        raise ImproperlyConfigured(f"Production refuses these development values: {', '.join(unsafe)}.")
LINKEDIN_CONNECT_TIMEOUT = float(env("LINKEDIN_CONNECT_TIMEOUT", "3.05"))
LINKEDIN_READ_TIMEOUT = float(env("LINKEDIN_READ_TIMEOUT", "20"))
# Test sends allowed per ad per (UTC) day, so a stuck button can't spam anyone's inbox.
LINKEDIN_TEST_SENDS_PER_DAY = env_int("LINKEDIN_TEST_SENDS_PER_DAY", 5)
# Refresh access tokens this long before they expire.
LINKEDIN_REFRESH_AHEAD_SECONDS = env_int("LINKEDIN_REFRESH_AHEAD_SECONDS", 7 * 24 * 3600)
# A worker's lease on a job, extended by a heartbeat before each step and after each call; a job whose
# worker died is sent again once it runs out. It must outlast one call (connect + read timeouts).
LINKEDIN_SYNC_LEASE_SECONDS = env_int("LINKEDIN_SYNC_LEASE_SECONDS", 45)
LINKEDIN_SYNC_MAX_RETRIES = env_int("LINKEDIN_SYNC_MAX_RETRIES", 8)
LINKEDIN_SYNC_RETRY_BACKOFF_MAX = env_int("LINKEDIN_SYNC_RETRY_BACKOFF_MAX", 600)
# Sandbox fault injection for every call the client makes (tests and benchmarks), e.g. "latency_ms=50".
LINKEDIN_SANDBOX_FAULTS = env("LINKEDIN_SANDBOX_FAULTS") if LINKEDIN_SANDBOX else ""
CELERY_BEAT_SCHEDULE.update(
    {
        "linkedin-refresh-tokens": {"task": "linkedin.refresh_tokens", "schedule": 15 * 60.0},
        "linkedin-import-senders": {"task": "linkedin.import_all_senders", "schedule": 6 * 3600.0},
    }
)
# Results after launch: every live ad's daily figures from LinkedIn's ad analytics (issue 6).
CELERY_BEAT_SCHEDULE["guidance-pull-results"] = {"task": "guidance.pull_results", "schedule": 3600.0}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
