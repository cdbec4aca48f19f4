"""Sync throughput: 200 approved ads through a real Celery worker against the sandbox served by gunicorn, 50 ms latency per call."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADS = int(os.environ.get("BENCH_SYNC_ADS", "200"))
CONCURRENCY = int(os.environ.get("BENCH_SYNC_CONCURRENCY", "4"))
LATENCY_MS = 50
CALLS_PER_AD = 3  # content create, creatives finder, creative create (no banner)
BROKER = os.environ.get("BENCH_REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def run() -> bool:
    from django.conf import settings
    from django.utils import timezone

    from bench.run import report
    from inmail_studio.accounts.models import Membership, Role, User, Workspace
    from inmail_studio.ads import services as ad_services
    from inmail_studio.ads.models import Sender, SenderPermission, State
    from inmail_studio.celery import app
    from inmail_studio.linkedin import services
    from inmail_studio.linkedin.client import Secret
    from inmail_studio.linkedin.models import AdLinkedIn, AttemptStatus, LinkedInConnection, SyncAttempt
    from inmail_studio.review import services as review_services
    from inmail_studio.sandbox.models import Member
    from inmail_studio.sandbox.seed import seed
    from inmail_studio.sandbox.tokens import tokens_issue

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LINKEDIN_SANDBOX": "1",
        "SITE_URL": base,
        "LINKEDIN_API_BASE_URL": f"{base}/sandbox/linkedin/rest",
        "LINKEDIN_OAUTH_BASE_URL": f"{base}/sandbox/linkedin/oauth/v2",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "LINKEDIN_SANDBOX_FAULTS": f"latency_ms={LATENCY_MS}",
    }
    gunicorn = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "inmail_studio.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "4",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    worker = None
    queue = f"bench-sync-{uuid.uuid4().hex[:8]}"
    try:
        _wait_http(f"{base}/healthz")
        settings.LINKEDIN_API_BASE_URL = env["LINKEDIN_API_BASE_URL"]
        settings.LINKEDIN_OAUTH_BASE_URL = env["LINKEDIN_OAUTH_BASE_URL"]
        seed()
        workspace = Workspace.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
        author = User.objects.create_user(f"author-{workspace.slug}")
        approver = User.objects.create_user(f"approver-{workspace.slug}")
        admin = User.objects.create_user(f"admin-{workspace.slug}")
        for user, role in ((author, Role.AUTHOR), (approver, Role.APPROVER), (admin, Role.ADMIN)):
            Membership.objects.create(user=user, workspace=workspace, role=role)
        issued = tokens_issue(
            member=Member.objects.get(slug="ada-admin"),
            client_id=settings.LINKEDIN_CLIENT_ID,
            scope="r_ads rw_ads",
        )
        connection = LinkedInConnection(workspace=workspace, connected_by=admin)
        connection.set_tokens(
            access=Secret(issued.access_token),
            expires_at=timezone.now() + timedelta(days=1),
            refresh=None,
            refresh_expires_at=None,
        )
        connection.save()
        services.account_choose(
            workspace_id=workspace.pk, admin=admin, account_urn="urn:li:sponsoredAccount:508915158"
        )
        campaign = workspace.linkedin_campaigns.get(name="Q4 Finance Webinar").urn
        sender = Sender.objects.get(workspace=workspace, urn="urn:li:person:dana-whitfield")
        assert sender.permission == SenderPermission.APPROVED

        # Queue every sync first (no worker yet), so the figure is the worker's throughput alone.
        app.conf.update(task_always_eager=False, broker_url=BROKER, task_default_queue=queue)
        ids = []
        for i in range(ADS):
            ad = ad_services.ad_create(
                workspace=workspace,
                author=author,
                fields={
                    "name": f"Bench ad {i}",
                    "sender": sender,
                    "subject": "Hello %FIRSTNAME%",
                    "body": "<p>Hi %FIRSTNAME%, join us.</p>",
                    "cta_text": "Join",
                    "landing_page_url": "https://example.com",
                },
            )
            AdLinkedIn.objects.create(ad=ad, campaign_urn=campaign)
            review_services.submit(ad_id=ad.pk, actor=author)
            ad.refresh_from_db()
            review_services.approve(
                ad_id=ad.pk, approver=approver, revision_hash=ad.current_revision.content_hash
            )  # type: ignore[union-attr]
            ids.append(ad.pk)
        assert SyncAttempt.objects.filter(ad_id__in=ids, status=AttemptStatus.QUEUED).count() == ADS

        worker = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "inmail_studio",
                "worker",
                f"--concurrency={CONCURRENCY}",
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
        from django.db.models import Max, Min

        span = SyncAttempt.objects.filter(ad_id__in=ids).aggregate(
            first=Min("started_at"), last=Max("finished_at")
        )
        synced = workspace.ads.filter(state=State.SYNCED).count()
        seconds = (span["last"] - span["first"]).total_seconds()
        ideal = ADS * CALLS_PER_AD * (LATENCY_MS / 1000) / CONCURRENCY
        ratio = ideal / seconds
        report("ads synced", f"{synced} of {ADS}", ok=synced == ADS, target=str(ADS))
        report("sync throughput", f"{ADS / seconds:.1f} ads/s ({seconds:.1f} s, concurrency {CONCURRENCY})")
        report("ideal (calls × latency ÷ concurrency)", f"{ideal:.1f} s = {ADS / ideal:.1f} ads/s")
        return report("ratio to ideal", f"{ratio:.2f}", ok=ratio >= 0.5 and synced == ADS, target="≥ 0.50")
    finally:
        for process in (worker, gunicorn):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
