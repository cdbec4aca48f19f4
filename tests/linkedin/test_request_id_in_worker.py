"""The request that queued a task names it: a real worker's lines for the sync carry the approval's request id."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.celery import app
from inmail_studio.review import services as review_services
from tests.production.conftest import BIN, Process, base_env, database_url, own_redis_url, started_in

pytestmark = pytest.mark.slow  # a real worker: selected with -m slow, and run by make test

REQUEST_ID = "approval-0f3c9d2e-request"


@pytest.fixture
def worker(sandbox_url: str, tmp_path: Path) -> Iterator[Process]:
    broker = own_redis_url()
    redis.Redis.from_url(broker).flushdb()
    previous = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=broker)
    app._pool = None
    app.amqp._producer_pool = None
    env = base_env(
        INMAIL_TESTING="1",
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND="cache+memory://",
        LOG_FORMAT="json",
        LINKEDIN_API_BASE_URL=django_settings.LINKEDIN_API_BASE_URL,
        LINKEDIN_OAUTH_BASE_URL=django_settings.LINKEDIN_OAUTH_BASE_URL,
    )
    processes = started_in(tmp_path)
    start = next(processes)
    argv = [str(BIN / "celery"), "-A", "inmail_studio", "worker", "--loglevel=INFO", "--concurrency=1"]
    process = start("worker", [*argv, "--without-gossip", "--without-mingle", "--without-heartbeat"], env)
    process.wait_until(lambda: "ready." in process.output(), timeout=60)
    try:
        yield process
    finally:
        processes.close()
        app.conf.update(**previous)
        app._pool = None
        app.amqp._producer_pool = None


def test_the_workers_lines_for_a_sync_carry_the_id_of_the_approval_that_queued_it(
    worker: Process, make_synced_ready_ad: Callable[..., Ad], author: User, approver: User, settings: Any
) -> None:
    ad = make_synced_ready_ad(approve=False)
    review_services.submit(ad_id=ad.pk, actor=author)
    ad.refresh_from_db()
    assert ad.current_revision is not None
    client = Client()
    client.force_login(approver)
    response = client.post(
        f"/review/ads/{ad.pk}/decide/",
        {"decision": "approve", "revision": ad.current_revision.content_hash},
        HTTP_X_REQUEST_ID=REQUEST_ID,
    )
    assert response.status_code == 302
    assert response["X-Request-ID"] == REQUEST_ID

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Ad.objects.get(pk=ad.pk).state != State.SYNCED:
        time.sleep(0.3)
    assert Ad.objects.get(pk=ad.pk).state == State.SYNCED, worker.output()[-2000:]
    time.sleep(0.5)  # the worker's last line for the task follows the database write
    lines = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
    ours = [line for line in lines if line.get("request_id") == REQUEST_ID]
    assert any(line.get("task") == "linkedin.sync_attempt" for line in ours), lines[-10:]
    # Lines of other tasks and of the worker itself carry no id (nothing leaks from one task to the next).
    assert all(line.get("request_id") in (None, REQUEST_ID) for line in lines)
