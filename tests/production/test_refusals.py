"""Production refuses what only suits a laptop, by name and without echoing a secret; check --deploy is clean."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest

from inmail_studio.accounts.models import User
from tests.test_settings import PRODUCTION, ROOT, _settings

from .conftest import base_env, database_url

REAL_SECRET_KEY = secrets.token_urlsafe(60)


@pytest.mark.parametrize(
    ("variable", "reason"),
    [
        ("CELERY_BROKER_URL", "tasks must never run inside a web request"),
        ("CACHE_URL", "the sign-in lockout and rate limits must be shared by every process"),
    ],
)
def test_production_refuses_to_start_without_a_broker_or_a_shared_cache(variable: str, reason: str) -> None:
    result = _settings({k: v for k, v in PRODUCTION.items() if k != variable})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Production needs these environment variables: {variable}." in result.stderr
    assert reason in result.stderr
    for value in PRODUCTION.values():  # the refusal never repeats what it was given
        assert value not in result.stderr


def test_production_refuses_the_sandboxs_development_client_secret() -> None:
    result = _settings({**PRODUCTION, "LINKEDIN_CLIENT_SECRET": "dev-secret-not-for-production"})
    assert result.returncode != 0
    assert "Production refuses these development values: LINKEDIN_CLIENT_SECRET." in result.stderr
    assert "dev-secret-not-for-production" not in result.stderr


def test_without_a_broker_development_still_runs_tasks_in_process() -> None:
    result = _settings({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "True"  # CELERY_TASK_ALWAYS_EAGER


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_finds_nothing_to_warn_about_on_production_settings() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=base_env(**{**PRODUCTION, "SECRET_KEY": REAL_SECRET_KEY}),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_preloading_hsts_is_the_domain_owners_choice_and_is_then_sent() -> None:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'inmail_studio.settings'); django.setup(); "
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SILENCED_SYSTEM_CHECKS)"
    )
    default = _settings(PRODUCTION, code)
    assert default.stdout.split() == ["31536000", "True", "False", "['security.W021']"]
    preloaded = _settings({**PRODUCTION, "SECURE_HSTS_PRELOAD": "true"}, code)
    assert preloaded.stdout.split() == ["31536000", "True", "True", "[]"]
    checked = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=base_env(**{**PRODUCTION, "SECRET_KEY": REAL_SECRET_KEY}, SECURE_HSTS_PRELOAD="true"),
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.django_db(transaction=True)
def test_seed_demo_refuses_in_production_and_creates_no_one() -> None:
    before = User.objects.count()
    result = _manage(
        "seed_demo",
        env=base_env(**{**PRODUCTION, "SECRET_KEY": REAL_SECRET_KEY, "DATABASE_URL": database_url()}),
    )
    assert result.returncode != 0
    assert "seed_demo refuses to run in production (DJANGO_ENV=production)" in result.stderr
    assert "createsuperuser" in result.stderr  # says what to do instead
    assert User.objects.count() == before
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db(transaction=True)
def test_seed_demo_still_loads_the_demo_outside_production() -> None:
    result = _manage("seed_demo", env=base_env(DATABASE_URL=database_url(), LINKEDIN_SANDBOX="false"))
    assert result.returncode == 0, result.stderr
    assert User.objects.filter(username="admin", is_superuser=True).exists()
