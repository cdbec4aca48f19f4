"""Settings for InMail Studio, read from the environment.

Every variable is listed in `.env.example`. Development defaults are safe to run
on a laptop; `DJANGO_ENV=production` refuses to start without the secrets and
hosts a real deployment must provide.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from inmail_studio import logs

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
    # What only suits a laptop is refused by name (never echoing a value): without a broker, tasks
    # would run inside web requests (and gunicorn's timeout); without a shared cache, each process
    # would keep its own sign-in lockout and rate limits.
    _WHY = {
        "CELERY_BROKER_URL": "tasks must never run inside a web request",
        "CACHE_URL": "the sign-in lockout and rate limits must be shared by every process",
        "LINKEDIN_TOKEN_KEYS": (
            "generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`"
        ),
    }
    missing = [
        name
        for name in (
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "CACHE_URL",
            "LINKEDIN_TOKEN_KEYS",
        )
        if not env(name)
    ]
    if missing:
        reasons = "".join(f" {name}: {_WHY[name]}." for name in missing if name in _WHY)
        raise ImproperlyConfigured(
            f"Production needs these environment variables: {', '.join(missing)}.{reasons}"
        )

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - refused in production
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", not PRODUCTION and not TESTING)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# `make run` shows the product's own 404 and 403 pages under DEBUG, not Django's technical ones
# (errors.ProductErrorPagesInDebug); a bare `manage.py runserver` keeps Django's.
ERROR_PAGES_IN_DEBUG = env_bool("ERROR_PAGES_IN_DEBUG", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Registers OpClass for index expressions (the drafts search's trigram indexes) and the
    # PostgreSQL lookups; on SQLite (`make run`) it does nothing.
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "csp",
    "inmail_studio.accounts",
    "inmail_studio.ads",
    "inmail_studio.review",
    "inmail_studio.linkedin",
    "inmail_studio.sandbox",
    "inmail_studio.guidance",
    "inmail_studio.studio",
]

MIDDLEWARE = [
    # Health first: /healthz and /readyz answer before the HTTPS redirect and the host check (health.py).
    "inmail_studio.health.HealthMiddleware",
    "inmail_studio.logs.RequestIdMiddleware",
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
    "inmail_studio.errors.ProductErrorPagesInDebug",
]

ROOT_URLCONF = "inmail_studio.urls"
WSGI_APPLICATION = "inmail_studio.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
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
# The planner's cost of a random page read against a sequential one. PostgreSQL's default (4) is for
# spinning disks; on SSDs (every managed PostgreSQL) 1.1 is the usual value, and with 4 the planner
# walks a workspace's 2,000 ads and filters them rather than use the drafts search's trigram index
# (0.5 ms against 18 ms for a rare word at agency scale, bench/bench_agency.py). Empty = server's own.
DATABASE_RANDOM_PAGE_COST = env("DATABASE_RANDOM_PAGE_COST", "1.1")
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _pg_options = []
    if DATABASE_STATEMENT_TIMEOUT_MS:
        _pg_options.append(f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}")
    if DATABASE_RANDOM_PAGE_COST:
        _pg_options.append(f"-c random_page_cost={float(DATABASE_RANDOM_PAGE_COST)}")
    if _pg_options:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_pg_options)
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
LOGIN_REDIRECT_URL = "home"  # Drafts, or an approver's review queue (urls.home)
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
STORAGES: dict[str, dict[str, Any]] = {
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

# --- Media on S3-compatible object storage (issue 10) ---
# With a bucket named, several web processes (and the worker, which uploads banners to LinkedIn)
# share media through it: a private bucket, read through short-lived signed URLs that only the
# storage's .url() makes (see ads/media.py). Credentials come from boto3's own chain
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment, or an instance role), never from here.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL").rstrip("/")  # MinIO, R2, moto...; empty means AWS
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME")
AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE")  # "path" for most S3-compatible servers
MEDIA_ORIGINS: list[str] = []  # where signed media URLs point, for the Content-Security-Policy
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            "region_name": AWS_S3_REGION_NAME or None,
            "addressing_style": AWS_S3_ADDRESSING_STYLE or None,
            "location": env("AWS_LOCATION"),  # a prefix inside the bucket, e.g. "media"
            "default_acl": None,  # objects inherit the bucket's policy: private
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),
            "file_overwrite": False,
            "signature_version": "s3v4",
        },
    }
    if AWS_S3_ENDPOINT_URL:
        _endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
        MEDIA_ORIGINS = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
        if AWS_S3_ADDRESSING_STYLE == "virtual":
            MEDIA_ORIGINS = [f"{_endpoint.scheme}://{AWS_STORAGE_BUCKET_NAME}.{_endpoint.netloc}"]
    else:
        MEDIA_ORIGINS = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if AWS_S3_REGION_NAME:
            MEDIA_ORIGINS.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com")
# Media is served by Django itself outside production (and by the web server in production); never
# from the disk when it lives in a bucket.
SERVE_MEDIA = env_bool("SERVE_MEDIA", not PRODUCTION) and not AWS_STORAGE_BUCKET_NAME
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

# Security headers. No page may be framed (DENY, and CSP frame-ancestors 'none'), not even by us:
# a framed sign-off or editor page is what clickjacking needs. The three documents our own pages
# frame by URL (the conversation preview, the shared conversation's frame, the sandbox inbox's
# message) opt in to same-origin framing one by one (`inmail_studio.http.framed_by_self`).
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
# A year of HSTS in production once TLS works; 0 turns it off (set it low for a first deploy).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
# includeSubDomains: on. The app has a host of its own (studio.example.com); the header covers only
# that host's subdomains, and nothing of ours is ever served below it over plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# preload: off unless SECURE_HSTS_PRELOAD=true. Preloading hard-codes HTTPS into browsers for a whole
# registrable domain and is requested by its owner from the apex; an app on one host can't decide
# that for the domain, so Django's reminder to preload (security.W021) is silenced while it is off.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# No inline script anywhere: all behaviour lives in static/js, htmx is vendored.
# htmx's own indicator <style> is switched off in base.html, so no inline style is needed either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *MEDIA_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
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
# Beat keeps its schedule and a heartbeat in CELERY_BEAT_STATE_DIR. It wakes at least every 30 s and
# touches the heartbeat each time (inmail_studio/beat.py), so `python -m inmail_studio.health beat`,
# the beat container's healthcheck, can tell a live beat from one that only started once.
CELERY_BEAT_STATE_DIR = env("CELERY_BEAT_STATE_DIR", tempfile.gettempdir())
CELERY_BEAT_SCHEDULER = "inmail_studio.beat:HeartbeatScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(Path(CELERY_BEAT_STATE_DIR) / "celerybeat-schedule")
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
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
_DEV_CLIENT_SECRET = "dev-secret-not-for-production"  # noqa: S105 - works only with the sandbox, refused in production
LINKEDIN_CLIENT_SECRET = env("LINKEDIN_CLIENT_SECRET", _DEV_CLIENT_SECRET)
# The sandbox's token lifetimes (LinkedIn's: 60 days and 365 days) and how long a "hang" fault waits.
SANDBOX_ACCESS_TOKEN_TTL = env_int("SANDBOX_ACCESS_TOKEN_TTL", 60 * 24 * 3600)
SANDBOX_REFRESH_TOKEN_TTL = env_int("SANDBOX_REFRESH_TOKEN_TTL", 365 * 24 * 3600)
SANDBOX_HANG_SECONDS = env_int("SANDBOX_HANG_SECONDS", 30)
# LinkedIn-Version: a version LinkedIn lists as released and not sunset (inmail_studio/linkedin/versions.py,
# the calendar with its sources). Admins are warned 60 days before it sunsets.
LINKEDIN_API_VERSION = env("LINKEDIN_API_VERSION", "202608")
# Where the client sends API and OAuth calls: the sandbox under SITE_URL when it is on, LinkedIn otherwise.
LINKEDIN_API_BASE_URL = env(
    "LINKEDIN_API_BASE_URL",
    f"{SITE_URL}/sandbox/linkedin/rest" if LINKEDIN_SANDBOX else "https://api.linkedin.com/rest",
).rstrip("/")
LINKEDIN_OAUTH_BASE_URL = env(
    "LINKEDIN_OAUTH_BASE_URL",
    f"{SITE_URL}/sandbox/linkedin/oauth/v2" if LINKEDIN_SANDBOX else "https://www.linkedin.com/oauth/v2",
).rstrip("/")
# "Connect LinkedIn" is a form posted to /linkedin/connect/, answered by a redirect to LinkedIn's
# authorization page, https://www.linkedin.com/oauth/v2/authorization ("your application directs the
# browser to LinkedIn's OAuth 2.0 authorization page": learn.microsoft.com/en-us/linkedin/shared/
# authentication/authorization-code-flow). CSP's form-action governs a form's redirects too, and
# Chromium refuses one to an origin it doesn't list (only the console says so): list that origin.
# The sandbox's consent page is on this site (linkedin.oauth.authorization_base), so 'self' covers it.
_OAUTH_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(LINKEDIN_OAUTH_BASE_URL))
if "{0.scheme}://{0.netloc}".format(urlsplit(SITE_URL)) != _OAUTH_ORIGIN:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_OAUTH_ORIGIN)
# OpenID Connect's userinfo (who the connected member is): unversioned, under /v2 (LinkedIn's
# "Sign In with LinkedIn using OpenID Connect" page).
# It sits beside the API's /rest on the same host, so it follows LINKEDIN_API_BASE_URL unless set:
# an app pointed at the standalone sandbox server (or any stand-in) needs only the two base URLs.
# Empty means exactly that (the client derives it when it calls).
LINKEDIN_USERINFO_URL = env("LINKEDIN_USERINFO_URL")
# The sandbox refuses (400 NOT_IN_CONTRACT) any request whose form no row of its written contract
# (inmail_studio/sandbox/CONTRACT.md) lists, so a client that drifts from LinkedIn's documented forms fails.
SANDBOX_STRICT = env_bool("SANDBOX_STRICT", True)
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
            ("LINKEDIN_CLIENT_SECRET", LINKEDIN_CLIENT_SECRET == _DEV_CLIENT_SECRET),
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
# RESULTS_PULL_SECONDS shortens it where results must show up soon (make prod-check).
CELERY_BEAT_SCHEDULE["guidance-pull-results"] = {
    "task": "guidance.pull_results",
    "schedule": float(env_int("RESULTS_PULL_SECONDS", 3600)),
}

# --- Logs and errors (issue 10 item 6, issue 11 item 7) ---
# One console handler: JSON lines in production (LOG_FORMAT=json|plain to choose), a request id on
# each, and every record redacted (share tokens, OAuth codes and states, tokens) by logs.configure.
LOGGING_CONFIG = "inmail_studio.logs.configure"
LOGGING = logs.logging_config(env("LOG_LEVEL", "INFO"))
# Error reporting only when SENTRY_DSN is set; no personal data, and each event redacted like a log line.
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=ENVIRONMENT,
        release=env("SENTRY_RELEASE") or None,
        send_default_pii=False,
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
        before_send=logs.scrub_event,
        before_breadcrumb=logs.scrub_event,
    )
# ---- Security hardening (issue 11): the client's address, the sign-in brake, uploads, media ----
# How many reverse proxies (a load balancer, nginx) stand in front of the app, each appending the
# address it saw to X-Forwarded-For. 0: REMOTE_ADDR is the client. Read by `client_address.client_ip`,
# which the sign-in brake, the share links' rate limit and the audit trail use.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# The sign-in brake (django-axes, see accounts/brake.py): five wrong passwords for one username from
# one address lock that pair out for fifteen minutes from the last one, on every sign-in page (the
# admin's included). Failures live in the database, shared by every process; a success clears them.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out client before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "inmail_studio.accounts.brake.AtomicDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A locked-out attempt is not counted again, so it neither extends the lockout nor grows the row.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "inmail_studio.client_address.client_ip_or_none"
AXES_LOCKOUT_CALLABLE = "inmail_studio.accounts.brake.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not what the brake needs; no row per sign-in
# Never stored in an attempt row: passwords (always), the CSRF token and the address (its own column).
AXES_SENSITIVE_PARAMETERS = ["password", "csrfmiddlewaretoken", "ip_address"]
# Axes logs every sign-in at INFO; its warnings (failures, lockouts) are the ones worth reading.
LOGGING.setdefault("loggers", {})["axes"] = {"level": env("AXES_LOG_LEVEL", "WARNING")}

# Requests and uploads (inmail_studio/middleware.py, uploads.py): a body over MAX_REQUEST_BYTES is
# refused by its Content-Length before it is read (413); no file is kept past MAX_UPLOAD_BYTES (the
# banner limit); a NUL character in any field is a clear 400, never a database error; signed-in
# pages are `Cache-Control: private` and HTML responses `Vary: HX-Request`.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 8 * 1024 * 1024)
MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # = ads.limits.BANNER_MAX_BYTES, the largest file anything here takes
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "inmail_studio.middleware.RequestGuard",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("inmail_studio.middleware.RequestGuard"), "inmail_studio.middleware.CacheHeaders"
)

# Uploaded media (banners, sender photos) is private: on disk the storage's url() is signed and
# expires (inmail_studio/private_media.py), and /media/ serves a file only against a valid signature.
# Pages hand out such URLs only to those who may see the object: its workspace's members, a share
# link's holder. (A private bucket with signed URLs does the same; it is left as configured.)
if STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":
    STORAGES["default"] = {"BACKEND": "inmail_studio.private_media.SignedFileSystemStorage"}
MEDIA_URL_TTL = env_int("MEDIA_URL_TTL", 3600)  # seconds a media URL works (at least)
