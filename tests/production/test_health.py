"""Liveness and readiness work under production's host and HTTPS rules; compose's healthchecks tell the truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from django.test import Client, override_settings

from inmail_studio import health

from .conftest import BIN, ROOT, Process, base_env, database_url, free_port, own_redis_url

PRODUCTION_RULES = {"ALLOWED_HOSTS": ["studio.example.com"], "SECURE_SSL_REDIRECT": True}


@override_settings(**PRODUCTION_RULES)
def test_liveness_answers_a_container_healthcheck_despite_the_host_check_and_the_https_redirect() -> None:
    response = Client().get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Cache-Control"] == "no-store"
    # Everything else still gets production's rules.
    assert Client().get("/accounts/login/", HTTP_HOST="studio.example.com").status_code == 301
    assert Client().get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
@override_settings(**PRODUCTION_RULES)
def test_readiness_checks_the_database_the_broker_and_the_shared_cache(settings: Any) -> None:
    settings.CELERY_BROKER_URL = own_redis_url()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
        }
    }
    response = Client().get("/readyz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "cache": "ok"}}


@pytest.mark.django_db
def test_readiness_is_503_naming_the_part_that_is_down_and_nothing_about_it(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from inmail_studio.celery import app

    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_BROKER_URL = dead
    previous = app.conf.broker_url
    app.conf.broker_url = dead
    try:
        response = Client().get("/readyz")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "unavailable"}
    assert dead not in response.content.decode()
    assert "broker is unavailable" in caplog.text  # the reason goes to the log


def test_a_post_to_a_health_path_is_not_answered_as_a_healthcheck() -> None:
    assert Client().post("/healthz").status_code == 405
    assert Client().post("/readyz").status_code == 405


def _health(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "inmail_studio.health", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_beat_healthcheck_fails_without_a_recent_heartbeat_and_passes_with_one(tmp_path: Path) -> None:
    env = base_env(CELERY_BEAT_STATE_DIR=str(tmp_path))
    missing = _health("beat", env=env)
    assert missing.returncode == 1
    assert "beat has not ticked yet" in missing.stdout
    heartbeat = tmp_path / health.BEAT_HEARTBEAT
    heartbeat.touch()
    old = time.time() - health.BEAT_MAX_AGE_SECONDS - 5
    os.utime(heartbeat, (old, old))
    stale = _health("beat", env=env)
    assert stale.returncode == 1
    assert "has not ticked for more than" in stale.stdout
    heartbeat.touch()
    assert _health("beat", env=env).returncode == 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_running_beat_keeps_its_heartbeat_fresh(processes: Callable[..., Process], tmp_path: Path) -> None:
    broker = own_redis_url()
    env = base_env(
        DATABASE_URL=database_url(),
        INMAIL_TESTING="1",
        CELERY_BROKER_URL=broker,
        CELERY_BEAT_STATE_DIR=str(tmp_path),
    )
    beat = processes("beat", [str(BIN / "celery"), "-A", "inmail_studio", "beat", "--loglevel=INFO"], env)
    beat.wait_until(lambda: _health("beat", env=env).returncode == 0, timeout=30)
    assert (tmp_path / "celerybeat-schedule").exists() or list(tmp_path.glob("celerybeat-schedule*"))
    assert "HeartbeatScheduler" in beat.output()
    redis.Redis.from_url(broker).flushdb()  # beat queued due tasks nobody here will run


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_web_healthcheck_reads_a_real_gunicorn_readiness(processes: Callable[..., Process]) -> None:
    port = free_port()
    env = base_env(
        DATABASE_URL=database_url(),
        INMAIL_TESTING="1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
    )
    assert _health("web", env=env).returncode == 1  # nothing listens yet
    web = processes(
        "web",
        [str(BIN / "gunicorn"), "-c", "python:inmail_studio.gunicorn_conf", "inmail_studio.wsgi:application"],
        env,
    )
    web.wait_until(lambda: _health("web", env=env).returncode == 0)
    answer = json.loads(_health("web", env=env).stdout)
    assert answer["healthy"] is True
    assert '"database": "ok"' in answer["detail"]
