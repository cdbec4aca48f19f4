"""The production-shaped stack `make prod-check` starts: docker-compose.yml's roles, on one machine.

Every role of the compose file runs here with the same command (its argv, to the letter) and the
same healthcheck, as an unprivileged user, from an "image" built the way the Dockerfile builds one
(a virtualenv from requirements.lock, the same folders copied, collectstatic). Only addresses
differ: compose's services find each other by name, here everything is on 127.0.0.1.

tests/production/test_compose.py reads docker-compose.yml and the Dockerfile and fails when they
and this module disagree: services, commands, healthchecks, web replicas, environment names,
copied folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# --- what docker-compose.yml describes -------------------------------------------------------------

# The app's roles, each with compose's command.
COMMANDS: dict[str, list[str]] = {
    "migrate": ["python", "manage.py", "migrate", "--noinput"],
    "web": ["gunicorn", "-c", "python:inmail_studio.gunicorn_conf", "inmail_studio.wsgi:application"],
    "worker": ["celery", "-A", "inmail_studio", "worker", "--loglevel=INFO"],
    "beat": ["celery", "-A", "inmail_studio", "beat", "--loglevel=INFO"],
}
# compose's healthcheck `test` of each long-running role, run here as the role's user with its environment.
HEALTHCHECKS: dict[str, list[str]] = {
    "web": ["CMD", "python", "-m", "inmail_studio.health", "web"],
    "worker": [
        "CMD-SHELL",
        "celery -A inmail_studio inspect ping -d celery@$$HOSTNAME --timeout 5 | grep -q pong",
    ],
    "beat": ["CMD", "python", "-m", "inmail_studio.health", "beat"],
}
# compose runs `deploy: replicas: 2` web containers behind the proxy; here, two gunicorns.
WEB_INSTANCES = 2
# compose's other services, and what plays each of them here.
SERVICES: dict[str, str] = {
    "proxy": "Caddy (Debian's package), TLS with a certificate made for this run, deploy/studio.caddy",
    "db": "PostgreSQL on this machine: a role and a database made for this run, dropped after",
    "redis": "Redis on this machine: two database numbers of its own (broker, cache), flushed before and after",
}
# What compose leaves to the outside world, and the stand-ins that play it here.
STAND_INS: dict[str, str] = {
    "linkedin": "the LinkedIn sandbox as its own server (python manage.py sandbox_serve), its own database",
    "s3": "moto in server mode over TLS: a private bucket, so two web processes share media as on S3",
}
# The Dockerfile's COPY of the code, in order (dependencies come from requirements.lock before it).
IMAGE_COPIES = ["manage.py", "inmail_studio", "templates", "static"]
# The throwaway values the Dockerfile gives collectstatic.
BUILD_ENV: dict[str, str] = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "build-only",
    "ALLOWED_HOSTS": "localhost",
    "DATABASE_URL": "sqlite:////tmp/build.db",
    "CELERY_BROKER_URL": "redis://build-only",
    "CACHE_URL": "redis://build-only",
    "LINKEDIN_CLIENT_SECRET": "build-only",
    "LINKEDIN_TOKEN_KEYS": "ZmFrZS1rZXktZm9yLWJ1aWxkLW9ubHktMDAwMDAwMDA=",
}


# --- this machine's addresses and this run's secrets ------------------------------------------------


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@dataclass(frozen=True)
class Ports:
    """All configurable (PRODCHECK_*_PORT); the check refuses to start when one is taken."""

    proxy: int = field(default_factory=lambda: _port("PRODCHECK_PROXY_PORT", 8443))
    web: tuple[int, ...] = field(
        default_factory=lambda: tuple(
            int(p) for p in (os.environ.get("PRODCHECK_WEB_PORTS") or "8401,8402").split(",")
        )
    )
    linkedin: int = field(default_factory=lambda: _port("PRODCHECK_LINKEDIN_PORT", 8410))
    s3: int = field(default_factory=lambda: _port("PRODCHECK_S3_PORT", 8420))

    def named(self) -> dict[str, int]:
        ports = {"PRODCHECK_PROXY_PORT": self.proxy, "PRODCHECK_LINKEDIN_PORT": self.linkedin}
        ports["PRODCHECK_S3_PORT"] = self.s3
        for i, port in enumerate(self.web, 1):
            ports[f"PRODCHECK_WEB_PORTS (web {i})"] = port
        return ports


@dataclass(frozen=True)
class Run:
    """One run's places and secrets (every secret made for this run only)."""

    ports: Ports
    app_dir: str  # the copied code (the image's /app)
    venv_bin: str  # the image's interpreter and tools
    state_dir: str  # folders the app user owns: media per web instance, beat's state
    ca_file: str
    database_url: str
    broker_url: str
    cache_url: str
    secret_key: str
    token_key: str
    client_id: str
    client_secret: str
    bucket: str
    s3_key_id: str
    s3_secret: str

    @property
    def site_url(self) -> str:
        return f"https://localhost:{self.ports.proxy}"

    @property
    def linkedin_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.linkedin}"

    @property
    def s3_url(self) -> str:
        return f"https://localhost:{self.ports.s3}"


def app_environment(run: Run) -> dict[str, str]:
    """What every app role gets: compose's environment (x-env) and the .env a deployment provides."""
    return {
        # docker-compose.yml's x-env, with this machine's addresses.
        "DJANGO_ENV": "production",
        "DATABASE_URL": run.database_url,
        "CELERY_BROKER_URL": run.broker_url,
        "CACHE_URL": run.cache_url,
        "LINKEDIN_SANDBOX": "false",
        "TRUSTED_PROXY_COUNT": "1",
        "SERVE_MEDIA": "true",
        "CELERY_BEAT_STATE_DIR": f"{run.state_dir}/beat",
        # The .env beside the compose file (.env.example lists them).
        "SECRET_KEY": run.secret_key,
        "ALLOWED_HOSTS": "localhost",
        "CSRF_TRUSTED_ORIGINS": run.site_url,
        "SITE_URL": run.site_url,
        "LINKEDIN_TOKEN_KEYS": run.token_key,
        "LINKEDIN_CLIENT_ID": run.client_id,
        "LINKEDIN_CLIENT_SECRET": run.client_secret,
        # LinkedIn is the sandbox server here.
        "LINKEDIN_API_BASE_URL": f"{run.linkedin_url}/rest",
        "LINKEDIN_OAUTH_BASE_URL": f"{run.linkedin_url}/oauth/v2",
        # Media in a private bucket on the S3 stand-in, over TLS signed by this run's authority.
        "AWS_STORAGE_BUCKET_NAME": run.bucket,
        "AWS_S3_ENDPOINT_URL": run.s3_url,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_ACCESS_KEY_ID": run.s3_key_id,
        "AWS_SECRET_ACCESS_KEY": run.s3_secret,
        "AWS_CA_BUNDLE": run.ca_file,
        # Review emails are printed rather than sent (there is no mail server here).
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        # Beat pulls results every few seconds rather than every hour, so the journey sees one.
        "RESULTS_PULL_SECONDS": "5",
        "LOG_LEVEL": "INFO",
        # The image's: the copied code on the path, its tools first.
        "PYTHONPATH": run.app_dir,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PATH": f"{run.venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": run.state_dir,
        "LANG": "C.UTF-8",
    }


def role_environment(run: Run, role: str, instance: int = 0) -> dict[str, str]:
    """A role's environment: the app's, and what compose gives that service alone."""
    env = app_environment(run)
    if role == "web":
        env.update(
            {
                "GUNICORN_BIND": f"127.0.0.1:{run.ports.web[instance]}",
                # Only the proxy (on this machine) reaches the web processes.
                "FORWARDED_ALLOW_IPS": "127.0.0.1",
                "WEB_CONCURRENCY": "2",
                # Each web process has a media folder of its own: only the bucket can share a banner.
                "MEDIA_ROOT": f"{run.state_dir}/media-web{instance + 1}",
            }
        )
    return env
