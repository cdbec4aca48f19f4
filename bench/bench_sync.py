"""Sync throughput: 200 approved ads through a real Celery worker against the sandbox served by gunicorn, at 4 and 8 worker processes and 50 and 300 ms latency per call.

Besides the ratio to the ideal it reports where the rest of the time goes, from the ledger:
the sandbox's overhead per call (a call's duration less the injected latency) and our own
work per ad (an attempt's duration less its calls), plus the worker's queries per ad,
counted in-process on a few extra ads. `BENCH_SYNC_PROFILE=1` prints a cProfile of those.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import cpu, servers
from bench.private_redis import free_port

ROOT = Path(__file__).resolve().parent.parent
ADS = int(os.environ.get("BENCH_SYNC_ADS", "200"))
# Worker processes and injected latencies measured, every pair (issue 16: 4 and 8 processes, 50 ms and
# the 300 ms closer to what LinkedIn answers in). BENCH_SYNC_CONCURRENCY / BENCH_SYNC_LATENCIES narrow it.
CONCURRENCIES = [int(c) for c in os.environ.get("BENCH_SYNC_CONCURRENCY", "4,8").split(",")]
LATENCIES_MS = [int(c) for c in os.environ.get("BENCH_SYNC_LATENCIES", "50,300").split(",")]
TARGET_RATIO = 0.85
TARGET_OWN_MS = 10
TARGET_QUERIES = 12
BROKER = os.environ.get("BENCH_REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
# Ads synced in this process to count queries (and profile): not part of the timed batch.
SAMPLE = int(os.environ.get("BENCH_SYNC_SAMPLE", "5"))


def _environment(base: str, latency_ms: int) -> dict[str, str]:
    return {
        **os.environ,
        "LINKEDIN_SANDBOX": "1",
        "SITE_URL": base,
        "LINKEDIN_API_BASE_URL": f"{base}/sandbox/linkedin/rest",
        "LINKEDIN_OAUTH_BASE_URL": f"{base}/sandbox/linkedin/oauth/v2",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "LINKEDIN_SANDBOX_FAULTS": f"latency_ms={latency_ms}",
        # As in production: a worker process and a server thread keep their database connection
        # between tasks and requests instead of opening one per task and per call.
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
    }


def _gunicorn(port: int, env: dict[str, str], concurrency: int) -> subprocess.Popen[bytes]:
    # Threads rather than processes: a call mostly waits (the injected latency), and each
    # thread keeps one database connection. Enough threads for every worker process at once.
    return servers.gunicorn(port, env, workers=2, threads=max(4, concurrency))


class Bench:
    """The data of one run: a connected workspace, its campaign and an approved sender."""

    def __init__(self) -> None:
        from django.conf import settings
        from django.utils import timezone

        from inmail_studio.accounts.models import Membership, Role, User, Workspace
        from inmail_studio.ads.models import Sender, SenderPermission
        from inmail_studio.linkedin import services
        from inmail_studio.linkedin.client import Secret
        from inmail_studio.linkedin.models import LinkedInConnection
        from inmail_studio.sandbox.models import Member
        from inmail_studio.sandbox.seed import seed
        from inmail_studio.sandbox.tokens import APP_SCOPES, tokens_issue

        seed()
        self.workspace = Workspace.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
        self.author = User.objects.create_user(f"author-{self.workspace.slug}")
        self.approver = User.objects.create_user(f"approver-{self.workspace.slug}")
        admin = User.objects.create_user(f"admin-{self.workspace.slug}")
        for user, role in ((self.author, Role.AUTHOR), (self.approver, Role.APPROVER), (admin, Role.ADMIN)):
            Membership.objects.create(user=user, workspace=self.workspace, role=role)
        issued = tokens_issue(
            member=Member.objects.get(slug="ada-admin"),
            client_id=settings.LINKEDIN_CLIENT_ID,
            scope=APP_SCOPES,
        )
        connection = LinkedInConnection(workspace=self.workspace, connected_by=admin, scopes=APP_SCOPES)
        connection.set_tokens(
            access=Secret(issued.access_token),
            expires_at=timezone.now() + timedelta(days=1),
            refresh=None,
            refresh_expires_at=None,
        )
        connection.save()
        services.account_choose(
            workspace_id=self.workspace.pk, admin=admin, account_urn="urn:li:sponsoredAccount:508915158"
        )
        self.campaign = self.workspace.linkedin_campaigns.get(name="Q4 Finance Webinar").urn
        self.sender = Sender.objects.get(workspace=self.workspace, urn="urn:li:person:dana-whitfield")
        assert self.sender.permission == SenderPermission.APPROVED

    def approved_ads(self, count: int, prefix: str) -> list[int]:
        """Approve `count` ads; each approval queues its sync (sent to the broker, or run eagerly)."""
        from inmail_studio.ads import services as ad_services
        from inmail_studio.linkedin.models import AdLinkedIn
        from inmail_studio.review import services as review_services

        ids = []
        for i in range(count):
            ad = ad_services.ad_create(
                workspace=self.workspace,
                author=self.author,
                fields={
                    "name": f"{prefix} {i}",
                    "sender": self.sender,
                    "subject": "Hello %FIRSTNAME%",
                    "body": "<p>Hi %FIRSTNAME%, join us.</p>",
                    "cta_text": "Join",
                    "landing_page_url": "https://example.com",
                },
            )
            AdLinkedIn.objects.create(ad=ad, campaign_urn=self.campaign)
            review_services.submit(ad_id=ad.pk, actor=self.author)
            ad.refresh_from_db()
            assert ad.current_revision is not None
            review_services.approve(
                ad_id=ad.pk, approver=self.approver, revision_hash=ad.current_revision.content_hash
            )
            ids.append(ad.pk)
        return ids


def _sample_in_process(bench: Bench) -> tuple[float, float]:
    """Sync a few ads in this process (eager, as the worker would run them); returns queries per ad
    and this process's CPU milliseconds per ad (the client's HTTP included, the sandbox's not;
    with BENCH_SYNC_PROFILE the profiler's own cost too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inmail_studio.celery import app
    from inmail_studio.linkedin import services
    from inmail_studio.linkedin.models import SyncAttempt

    app.conf.update(task_always_eager=True)
    # Queue the samples without running them, then run each sync alone under the counter.
    dispatch = services.outbox._dispatch_sync
    services.outbox._dispatch_sync = lambda attempt_id: False
    try:
        ids = bench.approved_ads(SAMPLE, "Sample ad")
    finally:
        services.outbox._dispatch_sync = dispatch
    attempts = list(SyncAttempt.objects.filter(ad_id__in=ids).values_list("pk", flat=True))
    profiler: Any = None
    if os.environ.get("BENCH_SYNC_PROFILE"):
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    started = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        for attempt_id in attempts:
            services.sync_run(attempt_id=attempt_id)
    cpu_ms = (time.process_time() - started) * 1000 / max(1, len(attempts))
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SYNC_SORT", "tottime")).print_stats(60)
    return len(queries) / max(1, len(attempts)), cpu_ms


def _backends() -> list[int]:
    """The PostgreSQL backends serving this database, but for this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def run() -> bool:
    ok = True
    for latency_ms in LATENCIES_MS:
        for concurrency in CONCURRENCIES:
            print(f"  -- {concurrency} worker processes, {latency_ms} ms injected latency")
            ok &= run_one(concurrency=concurrency, latency_ms=latency_ms)
    return ok


def run_one(*, concurrency: int, latency_ms: int) -> bool:
    from django.conf import settings
    from django.db.models import Avg, Count, F, Max, Min, Sum

    from bench.run import report
    from inmail_studio.ads.models import State
    from inmail_studio.celery import app
    from inmail_studio.linkedin.models import AttemptStatus, SyncAttempt, SyncCall

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _environment(base, latency_ms)
    gunicorn = _gunicorn(port, env, concurrency)
    worker = None
    queue = f"bench-sync-{uuid.uuid4().hex[:8]}"
    try:
        servers.wait_http(f"{base}/healthz")
        settings.LINKEDIN_API_BASE_URL = env["LINKEDIN_API_BASE_URL"]
        settings.LINKEDIN_OAUTH_BASE_URL = env["LINKEDIN_OAUTH_BASE_URL"]
        settings.LINKEDIN_SANDBOX_FAULTS = env["LINKEDIN_SANDBOX_FAULTS"]
        bench = Bench()
        queries_per_ad, sample_cpu_ms = _sample_in_process(bench)

        # Queue every sync first (no worker yet), so the figure is the worker's throughput alone.
        app.conf.update(task_always_eager=False, broker_url=BROKER, task_default_queue=queue)
        app._pool = None  # a broker an earlier benchmark used (and killed) must not be reused
        app.amqp._producer_pool = None
        ids = bench.approved_ads(ADS, "Bench ad")
        assert SyncAttempt.objects.filter(ad_id__in=ids, status=AttemptStatus.QUEUED).count() == ADS

        # CPU seconds from here to the last finish: the sandbox's server, the database's backends for
        # this run, every core of the machine (everyone's work); the worker's pool processes start now.
        sandbox_cpu, database_cpu, machine = (
            cpu.tree_cpu(gunicorn.pid),
            cpu.backend_cpu(_backends()),
            cpu.machine_busy(),
        )
        window = time.monotonic()
        worker = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "inmail_studio",
                "worker",
                f"--concurrency={concurrency}",
                "--pool=prefork",
                "-Q",
                queue,
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if not SyncAttempt.objects.filter(ad_id__in=ids).exclude(status=AttemptStatus.DONE).exists():
                break
            time.sleep(0.25)
        worker_cpu = cpu.children_cpu(worker.pid)
        sandbox_cpu = cpu.tree_cpu(gunicorn.pid) - sandbox_cpu
        database_spent = sum(
            spent - database_cpu.get(pid, 0.0) for pid, spent in cpu.backend_cpu(_backends()).items()
        )
        machine, window = cpu.machine_busy() - machine, time.monotonic() - window

        attempts = SyncAttempt.objects.filter(ad_id__in=ids)
        span = attempts.aggregate(first=Min("started_at"), last=Max("finished_at"))
        synced_count = bench.workspace.ads.filter(pk__in=ids, state=State.SYNCED).count()
        seconds = (span["last"] - span["first"]).total_seconds()
        # The ideal counts the calls the syncs made (from the ledger): a message ad without a banner is
        # a content create and a creative create (the creatives finder is asked only when the content
        # existed before the run; it was a third call per ad until the sync knew when to skip it).
        calls = SyncCall.objects.filter(attempt__ad_id__in=ids).exclude(method="")
        per_call = calls.aggregate(ms=Avg("duration_ms"), n=Count("pk"))
        made = per_call["n"] or 0
        ideal = made * (latency_ms / 1000) / concurrency
        ratio = ideal / seconds
        with_ids = calls.exclude(request_id="").count()
        spent = sum(
            (a.finished_at - a.started_at).total_seconds() * 1000
            for a in attempts.only("started_at", "finished_at")
            if a.started_at and a.finished_at
        )
        in_calls = calls.aggregate(ms=Sum(F("duration_ms")))["ms"] or 0
        report("ads synced", f"{synced_count} of {ADS}", ok=synced_count == ADS, target=str(ADS))
        report("sync throughput", f"{ADS / seconds:.1f} ads/s ({seconds:.1f} s, concurrency {concurrency})")
        report(
            "ideal (calls × latency ÷ concurrency)",
            f"{ideal:.1f} s = {ADS / ideal:.1f} ads/s ({made / ADS:.1f} calls per ad)",
        )
        report(
            "sandbox overhead per call",
            f"{(per_call['ms'] or 0) - latency_ms:.0f} ms ({per_call['n']} calls, {with_ids} with a request id)",
        )
        own = (spent - in_calls) / ADS
        ok = report(
            "our own work per ad (attempt − its calls)",
            f"{own:.1f} ms",
            ok=own < TARGET_OWN_MS,
            target=f"< {TARGET_OWN_MS} ms",
        )
        # The same split in CPU time, which waiting for a core (8 worker processes, gunicorn and
        # PostgreSQL on a shared 2-core machine) doesn't inflate. Not the target's definition: printed
        # beside it so the reader sees where the wall-clock figure goes.
        report(
            "  worker CPU per ad (its HTTP client too)", f"{worker_cpu * 1000 / ADS:.1f} ms (pool processes)"
        )
        report(
            f"  in-process sample, CPU per ad ({SAMPLE} ads)",
            f"{sample_cpu_ms:.1f} ms (one process, no queue)",
        )
        report(
            "sandbox CPU per call",
            f"{sandbox_cpu * 1000 / max(1, made):.1f} ms (gunicorn), {sandbox_cpu * 1000 / ADS:.1f} ms per ad",
        )
        report("database CPU per ad", f"{database_spent * 1000 / ADS:.1f} ms (this run's backends)")
        report(
            "machine busy CPU per ad",
            f"{machine * 1000 / ADS:.1f} ms ({machine / window:.2f} of {os.cpu_count()} cores busy, "
            "everyone's work)",
        )
        ok &= report(
            "worker queries per ad (in-process sample)",
            f"{queries_per_ad:.0f}",
            ok=queries_per_ad < TARGET_QUERIES,
            target=f"< {TARGET_QUERIES}",
        )
        return ok & report(
            "ratio to ideal",
            f"{ratio:.2f}",
            ok=ratio >= TARGET_RATIO and synced_count == ADS,
            target=f"≥ {TARGET_RATIO:.2f}",
        )
    finally:
        for process in (worker, gunicorn):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
