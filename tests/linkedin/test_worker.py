"""Syncs run by a real Celery worker (prefork, Redis broker) against the sandbox over HTTP.

The worker is a subprocess on a queue of its own, reading the test database; the
sandbox is served by the live server. Faults are injected on every call the worker makes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection as db_connection

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.celery import app
from inmail_studio.linkedin import services
from inmail_studio.linkedin.models import AdLinkedIn, AttemptStatus, SyncAttempt
from inmail_studio.sandbox import models as sandbox

from .conftest import approve_ad, creatives_of

pytestmark = pytest.mark.slow  # a real worker: selected with -m slow, and run by make test


def _broker_url() -> str:
    """A Redis database per xdist worker: two test processes' Celery workers listen on the same
    queue name, and must never take each other's tasks (which name the other's test database)."""
    base = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    offset = int(name[2:]) if name[2:].isdigit() else 0
    head, _, db = base.rpartition("/")
    return f"{head}/{int(db or 0) + offset}"


BROKER = _broker_url()
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _database_url() -> str:
    db = db_connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, queue: str, env: dict[str, str]) -> None:
        self.queue, self.env = queue, env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own celery binary and arguments
            [
                f"{ROOT}/.venv/bin/celery",
                "-A",
                "inmail_studio",
                "worker",
                "--concurrency=2",
                "--pool=prefork",
                "-Q",
                self.queue,
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(tempfile.gettempdir(), "linkedin-test-worker.log"), "ab"),  # noqa: SIM115
        )

    def kill(self) -> None:
        """SIGKILL to the whole process group: the main process and its pool children die at once."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _forget_connections() -> None:
    """Drop the producer pools made under the in-process configuration, so messages go to this broker."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker_factory(sandbox_url: str, settings: Any) -> Iterator[Callable[..., Worker]]:
    # The default queue of a Redis database of our own (REDISDB): the app's routing is cached by the
    # time earlier tests ran tasks in-process, so a custom queue name would not reach the producer.
    queue = "celery"
    redis.Redis.from_url(BROKER).flushdb()  # no leftover messages from an earlier run
    settings.LINKEDIN_SYNC_LEASE_SECONDS = 3
    previous = {k: app.conf[k] for k in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=BROKER)
    _forget_connections()
    workers: list[Worker] = []

    def make(faults: str = "", *, broker: str = BROKER, lease: int = 3) -> Worker:
        env = {
            **os.environ,
            "INMAIL_TESTING": "1",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_RESULT_BACKEND": "cache+memory://",
            "LINKEDIN_API_BASE_URL": django_settings.LINKEDIN_API_BASE_URL,
            "LINKEDIN_OAUTH_BASE_URL": django_settings.LINKEDIN_OAUTH_BASE_URL,
            "LINKEDIN_SANDBOX_FAULTS": faults,
            "LINKEDIN_READ_TIMEOUT": "5",
            "LINKEDIN_SYNC_RETRY_BACKOFF_MAX": "1",
            "LINKEDIN_SYNC_MAX_RETRIES": "30",
            "LINKEDIN_SYNC_LEASE_SECONDS": str(lease),
            "OUTBOX_REQUEUE_SECONDS": "1",
        }
        worker = Worker(queue, env)
        worker.start()
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.stop()
    app.conf.update(**previous)
    _forget_connections()


def _approve_batch(make_ad: Callable[..., Ad], author: User, approver: User, count: int) -> list[Ad]:
    ads = [make_ad(approve=False, name=f"Batch ad {i}") for i in range(count)]
    for ad in ads:
        approve_ad(ad, author=author, approver=approver)
    return ads


def _wait_all_done(ads: list[Ad], *, timeout: float, tick: Callable[[], None] | None = None) -> None:
    deadline = time.monotonic() + timeout
    ids = [a.pk for a in ads]
    while time.monotonic() < deadline:
        if Ad.objects.filter(pk__in=ids, state=State.SYNCED).count() == len(ids):
            return
        if tick:
            tick()
        time.sleep(0.5)
    states = list(Ad.objects.filter(pk__in=ids).values_list("state", flat=True))
    attempts = list(SyncAttempt.objects.filter(ad_id__in=ids).values_list("status", "error"))
    raise AssertionError(f"not all synced: {states} {attempts}")


def _assert_one_creative_each(ads: list[Ad]) -> None:
    for ad in ads:
        link = AdLinkedIn.objects.get(ad=ad)
        assert len(creatives_of(link.content_urn)) == 1, ad
    assert sandbox.Creative.objects.count() == len(ads)


def test_a_worker_syncs_a_batch_of_approved_ads(
    worker_factory: Callable[..., Worker],
    make_synced_ready_ad: Callable[..., Ad],
    author: User,
    approver: User,
) -> None:
    worker_factory()
    ads = _approve_batch(make_synced_ready_ad, author, approver, 10)
    _wait_all_done(ads, timeout=60)
    _assert_one_creative_each(ads)
    assert SyncAttempt.objects.filter(status=AttemptStatus.DONE).count() == 10


def test_with_faults_injected_every_ad_still_syncs_with_exactly_one_creative(
    worker_factory: Callable[..., Worker],
    make_synced_ready_ad: Callable[..., Ad],
    author: User,
    approver: User,
) -> None:
    worker_factory(faults="error_rate=0.1; throttle_rate=0.1; drop_rate=0.05")
    ads = _approve_batch(make_synced_ready_ad, author, approver, 20)
    _wait_all_done(ads, timeout=150)
    _assert_one_creative_each(ads)
    retried = SyncAttempt.objects.filter(tries__gt=1).count()
    assert retried > 0  # the faults really happened


def test_a_worker_killed_mid_batch_loses_nothing(
    worker_factory: Callable[..., Worker],
    make_synced_ready_ad: Callable[..., Ad],
    author: User,
    approver: User,
) -> None:
    first = worker_factory(faults="latency_ms=150", lease=300)
    ads = _approve_batch(make_synced_ready_ad, author, approver, 16)
    deadline = time.monotonic() + 60
    while SyncAttempt.objects.filter(status=AttemptStatus.DONE).count() < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    first.kill()
    assert SyncAttempt.objects.exclude(status=AttemptStatus.DONE).exists(), (
        "the batch finished before the kill"
    )
    # No beat here, and leases long enough not to run out: the new worker, as it starts, takes back
    # what its dead predecessor (same node name) held and resends what it may have reserved.
    worker_factory(faults="latency_ms=150", lease=300)
    _wait_all_done(ads, timeout=60)
    _assert_one_creative_each(ads)
    assert services.requeue_stuck() == 0  # nothing left waiting
