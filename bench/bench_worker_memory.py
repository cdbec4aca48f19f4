"""Memory: a sync worker's resident memory over 10,000 sync tasks run in its process.

Each task goes through Celery's tracer as a worker runs it (`apply`, in this process) and through
the whole of `sync_run` up to its decision: the lease claim, the read of the ad, its workspace,
connection, link and approval, and the attempt's finish. The tasks are cheap on purpose (the ad
isn't approved, so no HTTP is made): what grows per task (a cache keyed by attempt, a ledger or
observer kept alive, Celery's result bookkeeping) shows without the noise of the sandbox. The
figure is the resident set (VmRSS) after 10,000 tasks against after the first 100, after a
garbage collection each time; target: within 10%. `BENCH_WORKER_TASKS` changes the count.
"""

from __future__ import annotations

import gc
import logging
import os
import time

from bench.bench_memory import rss_kib
from bench.run import report
from bench.world import author_world
from inmail_studio.ads import services
from inmail_studio.linkedin.models import AttemptStatus, SyncAttempt
from inmail_studio.linkedin.tasks import sync_attempt_task

TASKS = int(os.environ.get("BENCH_WORKER_TASKS", "10000"))


def run() -> bool:
    workspace, user, sender = author_world("Worker memory bench", "worker-memory-bench")
    ad = services.ad_create(
        workspace=workspace,
        author=user,
        fields={"name": "Worker memory bench", "sender": sender, "subject": "Hi", "body": "<p>Hi</p>"},
    )
    revision = ad.current_revision
    assert revision is not None
    attempt = SyncAttempt.objects.create(
        ad=ad, revision=revision, revision_hash=revision.content_hash, requested_by=user
    )

    def task() -> None:
        SyncAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.QUEUED, lease_until=None)
        sync_attempt_task.apply(args=[attempt.pk], throw=True)

    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # a line per task otherwise
    start = time.perf_counter()
    for _ in range(100):
        task()
    gc.collect()
    after_100 = rss_kib(os.getpid())
    for _ in range(100, TASKS):
        task()
    gc.collect()
    after_all = rss_kib(os.getpid())
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SKIPPED and attempt.tries == TASKS, (attempt.status, attempt.tries)
    growth = (after_all - after_100) / after_100
    report(f"{TASKS:,} cheap sync tasks in one worker", f"{time.perf_counter() - start:.0f} s")
    report("worker RSS after 100 sync tasks", f"{after_100 / 1024:.1f} MiB")
    return report(
        f"worker RSS after {TASKS:,} sync tasks",
        f"{after_all / 1024:.1f} MiB ({growth:+.1%})",
        ok=growth <= 0.10,
        target="within 10% of after 100",
    )
