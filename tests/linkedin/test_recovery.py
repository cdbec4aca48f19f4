"""Recovery with real processes: a Celery worker (and beat) on Redis, the sandbox over HTTP, kill -9,
a broker that goes away, a worker that dies between the two writes of a refused sync.

Each test ends with every ad synced, tested or launched exactly once, or failed with a Retry
button; no test message sent twice; nothing stuck (beat finds nothing left to send). The
seconds it takes are measured by bench/bench_recovery.py, not here.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction

from bench.private_redis import PrivateRedis
from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.celery import app
from inmail_studio.linkedin import services
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    AttemptKind,
    AttemptStatus,
    SyncAttempt,
    TestSend,
    TestSendStatus,
)
from inmail_studio.review import services as review_services
from inmail_studio.sandbox import models as sandbox
from tests.conftest import client_for

from .conftest import approve_ad, creatives_of
from .test_worker import ROOT, Worker, _forget_connections, worker_factory  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow  # real processes: selected with -m slow, and run by make test

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


class Beat:
    def __init__(self, env: dict[str, str]) -> None:
        self.schedule = tempfile.mkdtemp(prefix="beat-")
        self.process = subprocess.Popen(  # noqa: S603 - our own celery binary
            [
                f"{ROOT}/.venv/bin/celery",
                "-A",
                "inmail_studio",
                "beat",
                "--loglevel=WARNING",
                f"--schedule={self.schedule}/schedule",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=10)
        shutil.rmtree(self.schedule, ignore_errors=True)


def _wait(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def _nothing_stuck() -> None:
    assert not Ad.objects.filter(state__in=[State.SYNCING, State.LAUNCHING]).exists()
    assert not SyncAttempt.objects.filter(status__in=["queued", "inflight", "awaiting_retry"]).exists()
    assert not TestSend.objects.filter(status__in=[TestSendStatus.QUEUED, TestSendStatus.SENDING]).exists()


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- a broker that goes away -------------------------------------------------------------------------


def test_approve_and_test_send_while_the_broker_is_down_are_saved_and_done_once_when_it_is_back(
    worker_factory: Callable[..., Worker],  # noqa: F811
    private_redis: PrivateRedis,
    make_synced_ready_ad: Callable[..., Ad],
    author: User,
    approver: User,
) -> None:
    app.conf.update(broker_url=private_redis.url)
    _forget_connections()
    worker = worker_factory(broker=private_redis.url)
    beat = Beat(worker.env)
    try:
        synced = make_synced_ready_ad()
        _wait(lambda: Ad.objects.get(pk=synced.pk).state == State.SYNCED, timeout=30, what="the first sync")
        waiting = [make_synced_ready_ad(approve=False, name=f"Approved while down {i}") for i in range(3)]
        for ad in waiting:
            review_services.submit(ad_id=ad.pk, actor=author)

        private_redis.kill()
        approver_client, author_client = client_for(approver), client_for(author)
        for ad in waiting:
            ad.refresh_from_db()
            response = approver_client.post(
                f"/review/ads/{ad.pk}/decide/",
                {"decision": "approve", "revision": ad.current_revision.content_hash},  # type: ignore[union-attr]
            )
            assert response.status_code == 302  # the decision is saved; not a 500
        response = author_client.post(f"/linkedin/ads/{synced.pk}/test-send/", **HTMX)
        assert response.status_code == 200 and "Sending a test message" in _text(response)
        assert Ad.objects.filter(pk__in=[a.pk for a in waiting], state=State.SYNCING).count() == 3

        private_redis.start()  # the broker is back (empty: whatever it held is gone)
        workers = [worker]

        def done() -> bool:
            # Kombu's Redis transport can take a worker down when the broker goes away (an
            # AttributeError on the dead connection); in production its restart policy starts it
            # again, and the new one takes back what it held. So does this test.
            if workers[-1].process is not None and workers[-1].process.poll() is not None:
                workers.append(worker_factory(broker=private_redis.url))
            return (
                Ad.objects.filter(pk__in=[a.pk for a in waiting], state=State.SYNCED).count() == 3
                and TestSend.objects.filter(ad=synced, status=TestSendStatus.SENT).exists()
            )

        _wait(done, timeout=90, what="the work queued while the broker was down")
    finally:
        beat.stop()
    for ad in waiting:
        assert len(creatives_of(AdLinkedIn.objects.get(ad=ad).content_urn)) == 1
    assert sandbox.InboxMessage.objects.count() == 1  # one test message, sent once
    _nothing_stuck()


# --- kill -9 during a test send and a launch ----------------------------------------------------------


def test_a_worker_killed_during_a_test_send_and_a_launch_never_sends_twice_and_leaves_nothing_stuck(
    worker_factory: Callable[..., Worker],  # noqa: F811
    make_synced_ready_ad: Callable[..., Ad],
    author: User,
    approver: User,
) -> None:
    fast = worker_factory(lease=300)
    to_send, to_launch = make_synced_ready_ad(name="Test me"), make_synced_ready_ad(name="Launch me")
    _wait(lambda: Ad.objects.filter(state=State.SYNCED).count() == 2, timeout=30, what="two syncs")
    services.test_send_request(ad_id=to_launch.pk, user=author)
    _wait(lambda: Ad.objects.get(pk=to_launch.pk).state == State.TESTED, timeout=30, what="the first test")
    fast.stop()
    # Every call now takes 2 s: the kill lands while LinkedIn is answering.
    slow = worker_factory(faults="latency_ms=2000", lease=300)
    services.test_send_request(ad_id=to_send.pk, user=author)
    services.launch(ad_id=to_launch.pk, approver=approver)
    _wait(
        lambda: (
            TestSend.objects.filter(ad=to_send, call_started_at__isnull=False).exists()
            and SyncAttempt.objects.filter(
                ad=to_launch, kind=AttemptKind.LAUNCH, status=AttemptStatus.INFLIGHT
            ).exists()
        ),
        timeout=30,
        what="the test send and the launch in flight",
    )
    slow.kill()  # kill -9: the main process and its pool at once
    worker_factory(lease=300)  # a new one starts and takes back what the dead one held

    _wait(lambda: Ad.objects.get(pk=to_launch.pk).state == State.LIVE, timeout=60, what="the launch")
    _wait(
        lambda: (
            not TestSend.objects.filter(
                ad=to_send, status__in=[TestSendStatus.QUEUED, TestSendStatus.SENDING]
            ).exists()
        ),
        timeout=60,
        what="the test send to settle",
    )
    send = TestSend.objects.get(ad=to_send)
    delivered = sandbox.InboxMessage.objects.filter(
        creative_urn=AdLinkedIn.objects.get(ad=to_send).creative_urn
    ).count()
    assert delivered <= 1  # never sent twice
    if send.status == TestSendStatus.SENT:
        assert delivered == 1
    else:  # it may have arrived: the person decides, with the buttons to do it
        assert send.status == TestSendStatus.UNCERTAIN
        panel = _text(client_for(author).get(f"/linkedin/ads/{to_send.pk}/panel/"))
        assert "Possibly sent." in panel and "It arrived" in panel and "Send again" in panel
    (creative,) = creatives_of(AdLinkedIn.objects.get(ad=to_launch).content_urn)
    assert creative.intended_status == "ACTIVE"
    assert SyncAttempt.objects.filter(ad=to_launch, kind=AttemptKind.LAUNCH).count() == 1
    _nothing_stuck()


# --- a crash between the two writes of a refused sync ---------------------------------------------------


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def test_a_worker_killed_between_the_two_writes_of_a_refused_sync_leaves_no_ad_syncing(
    worker_factory: Callable[..., Worker],  # noqa: F811
    make_synced_ready_ad: Callable[..., Ad],
    author: User,
    approver: User,
) -> None:
    sandbox.SenderPermission.objects.filter(member__slug="dana-whitfield").update(state="REQUESTED")
    ad = make_synced_ready_ad(approve=False)
    hold, release = threading.Event(), threading.Event()

    def lock_the_ad() -> None:
        # The worker marks the attempt failed, then needs the ad's row: held here, so it stops between them.
        with transaction.atomic():
            Ad.objects.select_for_update().get(pk=ad.pk)
            hold.set()
            release.wait(60)
        connection.close()

    # LinkedIn takes 2 s to refuse: time to take the ad's lock once the worker has claimed the attempt.
    worker = worker_factory(faults="latency_ms=2000", lease=300)
    approve_ad(ad, author=author, approver=approver)
    _wait(
        lambda: SyncAttempt.objects.get(ad=ad).status == AttemptStatus.INFLIGHT, timeout=30, what="the claim"
    )
    holder = threading.Thread(target=lock_the_ad)
    holder.start()
    try:
        assert hold.wait(10)
        _wait(lambda: _waiting_on_a_lock() > 0, timeout=30, what="the worker to wait between its writes")
        worker.kill()
    finally:
        release.set()
        holder.join()
    time.sleep(1)  # the dead worker's transaction is rolled back: its first write is undone
    attempt = SyncAttempt.objects.get(ad=ad)
    assert attempt.status == AttemptStatus.INFLIGHT  # neither write survived the crash
    worker_factory(lease=300)  # a new worker takes the attempt back and fails it properly
    _wait(
        lambda: SyncAttempt.objects.get(ad=ad).status == AttemptStatus.FAILED, timeout=60, what="the refusal"
    )
    ad.refresh_from_db()
    assert ad.state == State.SYNC_FAILED
    assert "Retry sync" in _text(client_for(author).get(f"/linkedin/ads/{ad.pk}/panel/"))
    _nothing_stuck()
