"""Settings from the environment: production refuses to start without its secrets; Celery runs in-process without a broker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-real-secret-for-this-test-only",
    "ALLOWED_HOSTS": "studio.example.com",
    "DATABASE_URL": "postgres://studio@db.example.com:5432/studio",
    # The LinkedIn tokens' encryption key (a Fernet key), also required in production.
    "LINKEDIN_TOKEN_KEYS": "J8rlcA0Fq2qVm6T8vH2tWmM1o5m8iQ2W0b3kL4y7u9E=",
    # A broker (tasks never run in a request) and a shared cache (one sign-in lockout for every process).
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
    "CACHE_URL": "redis://redis.example.com:6379/1",
    "LINKEDIN_CLIENT_SECRET": "the-linkedin-apps-real-secret",
}
PRINT = (
    "import inmail_studio.settings as s; "
    "print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, s.SESSION_COOKIE_SECURE, s.ALLOWED_HOSTS, s.CELERY_BROKER_URL or '-')"
)


def _settings(env: dict[str, str], code: str = PRINT) -> subprocess.CompletedProcess[str]:
    """Import the settings module in a fresh interpreter with exactly these variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {*PRODUCTION, "DEBUG", "INMAIL_TESTING", "LOG_FORMAT", "SENTRY_DSN", "AWS_STORAGE_BUCKET_NAME"}
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_starts_with_its_secret_hosts_and_database() -> None:
    result = _settings(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == [
        "False",
        "False",
        "True",
    ]  # no debug, tasks to the broker, secure cookies
    assert "studio.example.com" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_variable(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _settings(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_names_every_missing_variable_at_once() -> None:
    result = _settings({"DJANGO_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL" in result.stderr


def test_development_starts_with_safe_defaults_and_no_variables() -> None:
    result = _settings({})
    assert result.returncode == 0, result.stderr
    debug, eager, secure_cookie = result.stdout.split()[:3]
    assert (debug, eager, secure_cookie) == ("True", "True", "False")
    assert "127.0.0.1" in result.stdout


def test_celery_runs_tasks_in_process_without_a_broker_url() -> None:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'inmail_studio.settings'); django.setup(); "
        "from inmail_studio.celery import app; print(app.conf.task_always_eager, app.conf.broker_url or '-')"
    )
    result = _settings({}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def test_celery_sends_tasks_to_the_broker_when_one_is_set() -> None:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'inmail_studio.settings'); django.setup(); "
        "from inmail_studio.celery import app; print(app.conf.task_always_eager, app.conf.broker_url)"
    )
    result = _settings({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/9"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "redis://127.0.0.1:6379/9"]
