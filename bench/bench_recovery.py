"""Recovery: seconds from "worker killed mid-batch" and from "broker back" to every ad synced, 100 ads each.

Production-shaped: a Celery worker (prefork, concurrency 4) and beat on a private redis-server,
the sandbox served by gunicorn with 50 ms latency per call, the default lease, beat interval
and grace (LINKEDIN_SYNC_LEASE_SECONDS, OUTBOX_REQUEUE_SECONDS, OUTBOX_QUEUED_GRACE_SECONDS),
and the worker restarted when it exits, as a restart policy does.

1. kill -9: 100 approved ads; once some are synced the worker's whole process group is
   killed and a new worker started; the clock runs from the kill to the last ad synced.
2. broker down: redis-server is killed (every message it held is lost), 100 ads are approved
   (each approval answers, its send failure logged), redis-server starts again, empty; the
   worker and beat reconnect by themselves; the clock runs from "broker back" to the last ad.

Each figure includes doing the remaining syncs; the "work alone" line says how long those
take once running, so the rest is the recovery itself. Every ad must end with one creative.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import servers
from bench.bench_sync import Bench, _gunicorn
from bench.private_redis import PrivateRedis, free_port

ROOT = Path(__file__).resolve().parent.parent
ADS = int(os.environ.get("BENCH_RECOVERY_ADS", "100"))
CONCURRENCY = 4
LATENCY_MS = 50
TARGET_SECONDS = 60.0


def _celery(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [str(ROOT / ".venv/bin/celery"), "-A", "inmail_studio", *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return _celery(
        ["worker", f"--concurrency={CONCURRENCY}", "--pool=prefork", "--loglevel=WARNING", "--without-gossip",
         "--without-mingle"],
        env,
        log,
    )  # fmt: skip


def _stop(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def _wait_synced(ids: list[int], *, timeout: float, supervise: Any = None) -> float:
    from inmail_studio.ads.models import Ad, State

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if Ad.objects.filter(pk__in=ids, state=State.SYNCED).count() == len(ids):
            return time.monotonic() - started
        if supervise is not None:
            supervise()
        time.sleep(0.1)
    return float("inf")


class Supervised:
    """A worker kept running as docker compose's `restart: unless-stopped` (or systemd) keeps it:
    started again when it exits. Kombu's Redis transport can take the worker down when the broker
    goes away (an AttributeError on the dead connection, e.g. celery/kombu#582); the outbox doesn't
    need the worker to survive, only to be restarted."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log, self.restarts = env, log, 0
        self.process = _worker(env, log)

    def __call__(self) -> None:
        if self.process.poll() is not None:
            self.restarts += 1
            time.sleep(1)  # a restart policy's pause
            self.process = _worker(self.env, self.log)


def _one_creative_each(ids: list[int]) -> bool:
    from inmail_studio.linkedin.models import AdLinkedIn
    from inmail_studio.sandbox.models import Creative

    for link in AdLinkedIn.objects.filter(ad_id__in=ids):
        if Creative.objects.filter(content_reference=link.content_urn).count() != 1:
            return False
    return True


def _work_alone(ids: list[int]) -> float:
    """How long the syncs of `ids` took once running (first start to last finish)."""
    from django.db.models import Max, Min

    from inmail_studio.linkedin.models import AttemptStatus, SyncAttempt

    span = SyncAttempt.objects.filter(ad_id__in=ids, status=AttemptStatus.DONE).aggregate(
        first=Min("started_at"), last=Max("finished_at")
    )
    if not span["first"] or not span["last"]:
        return 0.0
    return float((span["last"] - span["first"]).total_seconds())


def run() -> bool:
    from django.conf import settings

    from bench.run import report
    from inmail_studio.ads.models import Ad, State
    from inmail_studio.celery import app
    from inmail_studio.linkedin.models import SyncAttempt

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    redis = PrivateRedis()
    redis.start()
    logs = Path(tempfile.mkdtemp(prefix="bench-recovery-"))
    env: dict[str, Any] = {
        **os.environ,
        "LINKEDIN_SANDBOX": "1",
        "SITE_URL": base,
        "LINKEDIN_API_BASE_URL": f"{base}/sandbox/linkedin/rest",
        "LINKEDIN_OAUTH_BASE_URL": f"{base}/sandbox/linkedin/oauth/v2",
        "CELERY_BROKER_URL": redis.url,
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "LINKEDIN_SANDBOX_FAULTS": f"latency_ms={LATENCY_MS}",
        "DATABASE_CONN_MAX_AGE": "60",
    }
    gunicorn = _gunicorn(port, env, 4)
    worker = beat = None
    eager_before, broker_before = app.conf.task_always_eager, app.conf.broker_url
    ok = True
    try:
        servers.wait_http(f"{base}/healthz")
        settings.LINKEDIN_API_BASE_URL = env["LINKEDIN_API_BASE_URL"]
        settings.LINKEDIN_OAUTH_BASE_URL = env["LINKEDIN_OAUTH_BASE_URL"]
        settings.LINKEDIN_SANDBOX_FAULTS = env["LINKEDIN_SANDBOX_FAULTS"]
        bench = Bench()
        app.conf.update(task_always_eager=False, broker_url=redis.url)
        app._pool = None
        app.amqp._producer_pool = None

        # 1. kill -9 mid-batch
        ids = bench.approved_ads(ADS, "Kill ad")
        worker = _worker(env, logs / "worker.log")
        started = time.monotonic()
        beat = _celery(
            ["beat", "--loglevel=WARNING", f"--schedule={logs}/beat-schedule"], env, logs / "beat.log"
        )
        deadline = time.monotonic() + 120
        while (
            Ad.objects.filter(pk__in=ids, state=State.SYNCED).count() < ADS // 5
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        _stop(worker, signal.SIGKILL)
        killed_at = time.monotonic()
        done = Ad.objects.filter(pk__in=ids, state=State.SYNCED).count()
        held = SyncAttempt.objects.filter(ad_id__in=ids, status="inflight").count()
        worker = _worker(env, logs / "worker.log")
        waited = _wait_synced(ids, timeout=300)
        seconds = time.monotonic() - killed_at if waited != float("inf") else waited
        once = _one_creative_each(ids)
        # Ads per second before the kill, the worker's start included.
        rate = done / max(0.001, killed_at - started)
        report("kill -9 mid-batch: ads left", f"{ADS - done} of {ADS} ({held} in the dead worker's hands)")
        report("  their syncs alone, at the pre-kill pace", f"{(ADS - done) / max(rate, 0.001):.1f} s")
        ok &= report(
            "kill -9 → every ad synced (new worker)",
            f"{seconds:.1f} s, one creative each: {'yes' if once else 'NO'}",
            ok=seconds < TARGET_SECONDS and once,
            target=f"< {TARGET_SECONDS:.0f} s",
        )

        # 2. broker down, work queued, broker back
        supervised = Supervised(env, logs / "worker.log")
        _stop(worker)
        worker = supervised.process
        time.sleep(2)  # the supervised worker is up
        redis.kill()
        approving = time.monotonic()
        dispatch_log = logging.getLogger("inmail_studio.dispatch")
        dispatch_log.setLevel(logging.ERROR)  # one warning per approval: the bench says how many instead
        try:
            down_ids = bench.approved_ads(ADS, "Broker-down ad")
        finally:
            dispatch_log.setLevel(logging.NOTSET)
        approving = time.monotonic() - approving
        queued = SyncAttempt.objects.filter(ad_id__in=down_ids, status="queued").count()
        redis.start()  # empty: whatever it held died with it
        back_at = time.monotonic()
        waited = _wait_synced(down_ids, timeout=300, supervise=supervised)
        seconds = time.monotonic() - back_at if waited != float("inf") else waited
        worker = supervised.process
        once = _one_creative_each(down_ids)
        report(
            "broker down: approvals answered",
            f"{ADS} in {approving:.1f} s ({approving / ADS * 1000:.0f} ms each), {queued} queued",
        )
        report("  their syncs alone, once running", f"{_work_alone(down_ids):.1f} s")
        report("  worker restarts (the broker took it down)", str(supervised.restarts))
        ok &= report(
            "broker back → all queued work synced",
            f"{seconds:.1f} s, one creative each: {'yes' if once else 'NO'}",
            ok=seconds < TARGET_SECONDS and once,
            target=f"< {TARGET_SECONDS:.0f} s",
        )
        return ok
    finally:
        for process in (worker, beat, gunicorn):
            _stop(process)
        redis.kill()
        # Leave the Celery app as it was found: the next benchmark must not send to this dead broker.
        app.conf.update(task_always_eager=eager_before, broker_url=broker_before)
        app._pool = None
        app.amqp._producer_pool = None
        if ok:
            shutil.rmtree(logs, ignore_errors=True)
        else:
            print(f"  (worker and beat logs kept in {logs})")
