"""Recovering lost work: jobs whose deadline passed are sent again, ads stuck in a working state mended."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inmail_studio.ads.models import Ad, Revision, State
from inmail_studio.dispatch import queued_deadline
from inmail_studio.linkedin.models import (
    OPEN_STATUSES,
    AttemptStatus,
    SyncAttempt,
    TestSend,
    TestSendStatus,
)
from inmail_studio.linkedin.services import outbox  # the dispatch seam: tests and bench patch it there
from inmail_studio.linkedin.services.test_send import _test_sends_settle_dead
from inmail_studio.review import workflow

log = logging.getLogger(__name__)


def _release_dead_incarnations(worker: str, now: datetime) -> None:
    """A worker starting under a name (`celery@host`) takes back the leases an earlier process of that
    name held: that process is dead (Celery runs one node of a name at a time)."""
    name = worker.partition("/")[0]
    earlier = Q(holder__startswith=f"{name}/") & ~Q(holder=worker)
    gone = now - timedelta(seconds=1)
    SyncAttempt.objects.filter(earlier, status=AttemptStatus.INFLIGHT).update(lease_until=gone)
    TestSend.objects.filter(earlier, status=TestSendStatus.SENDING).update(lease_until=gone)


def requeue_stuck(*, worker: str = "") -> int:
    """Send again every job whose own deadline passed (beat runs this every few seconds), and mend
    ads whose state claims work that no open attempt is doing.

    `worker` is set when a worker starts (the `worker_ready` signal): it takes back what its dead
    predecessor held, and every queued job is sent again at once, since its message may have been
    reserved by that predecessor. Duplicates are harmless: the claim lets one worker in, once.
    """
    now = timezone.now()
    if worker:
        _release_dead_incarnations(worker, now)
    overdue = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    attempts = SyncAttempt.objects.filter(status__in=OPEN_STATUSES).filter(
        overdue | Q(status=AttemptStatus.QUEUED) if worker else overdue
    )
    attempt_ids = list(attempts.values_list("pk", flat=True))
    # A lease that ran out is a dead worker's: the attempt is queued again.
    SyncAttempt.objects.filter(pk__in=attempt_ids, status=AttemptStatus.INFLIGHT, lease_until__lt=now).update(
        status=AttemptStatus.QUEUED, holder=""
    )
    _test_sends_settle_dead(now)
    sends = TestSend.objects.filter(status=TestSendStatus.QUEUED).filter(
        overdue | Q(retry_at__lte=now) | Q(retry_at__isnull=True) if worker else overdue
    )
    send_ids = list(sends.values_list("pk", flat=True))
    jobs = [(SyncAttempt, pk, outbox._dispatch_sync) for pk in attempt_ids] + [
        (TestSend, pk, outbox._dispatch_test_send) for pk in send_ids
    ]
    sent = 0
    for model, pk, send in jobs:
        # A fresh deadline first, so the next tick doesn't send it again while its message waits.
        model.objects.filter(pk=pk).update(lease_until=queued_deadline(now))
        if not send(pk):
            # Broker down (logged, and this row is due again): the rest wait for the next tick.
            break
        sent += 1
    repaired = repair_orphaned_states()
    if jobs or repaired:
        log.info(
            "Outbox: sent %d of %d due LinkedIn jobs and test sends again, mended %d ads%s",
            sent,
            len(jobs),
            repaired,
            f" (worker {worker} started)" if worker else "",
        )
    return sent


def repair_orphaned_states() -> int:
    """Ads "syncing" or "launching" with no open attempt (a crash of an older version between the
    attempt's end and the ad's move, or a row removed by hand) go where a failed job leaves them,
    with a Retry button, instead of waiting forever."""

    open_jobs = SyncAttempt.objects.filter(status__in=OPEN_STATUSES).values("ad_id")
    mended = 0
    for ad_id in (
        Ad.objects.filter(state__in=list(workflow.WORK_STATES))
        .exclude(pk__in=open_jobs)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            ad = Ad.objects.select_for_update().get(pk=ad_id)
            working = State(ad.state)
            if (
                working not in workflow.WORK_STATES
                or SyncAttempt.objects.filter(ad=ad, status__in=OPEN_STATUSES).exists()
            ):
                continue
            revision = ad.current_revision or Revision.objects.filter(ad=ad).order_by("-number").first()
            if revision is None:  # pragma: no cover - an ad in a LinkedIn state always has a revision
                continue
            doing = "sync" if working == State.SYNCING else "launch"
            workflow.move(
                ad,
                workflow.WORK_STATES[working],
                actor=None,
                revision=revision,
                note=f"The {doing} stopped without finishing (nothing was working on it any more); retry it.",
            )
            mended += 1
    return mended
