"""Thin Celery tasks: load by id, call a service. Late acknowledgement, retries with backoff and jitter.

A Transient error is retried (exponential backoff with jitter, up to LINKEDIN_SYNC_MAX_RETRIES);
a Rejected one ends the attempt at once inside the service. When the retries run out,
`on_failure` marks the attempt failed so the ad shows "sync failed" and a retry button.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings

from . import services
from .client import Transient

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Transient,),
    "retry_backoff": 2,
    "retry_backoff_max": settings.LINKEDIN_SYNC_RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": settings.LINKEDIN_SYNC_MAX_RETRIES,
}


class SyncTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        attempt_id = args[0] if args else kwargs.get("attempt_id")
        if attempt_id is not None:
            services.sync_give_up(attempt_id=attempt_id, error=str(exc))


class TestSendTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        test_send_id = args[0] if args else kwargs.get("test_send_id")
        if test_send_id is not None:
            services.test_send_give_up(test_send_id=test_send_id, error=str(exc))


@shared_task(name="linkedin.sync_attempt", base=SyncTask, **RETRY)
def sync_attempt_task(attempt_id: int) -> None:
    services.sync_run(attempt_id=attempt_id)


@shared_task(name="linkedin.test_send", base=TestSendTask, **RETRY)
def test_send_task(test_send_id: int) -> None:
    services.test_send_run(test_send_id=test_send_id)


@shared_task(name="linkedin.refresh_tokens", acks_late=True)
def refresh_tokens_task() -> int:
    return services.tokens_refresh_due()


@shared_task(name="linkedin.requeue_stuck", acks_late=True)
def requeue_stuck_task() -> int:
    return services.requeue_stuck()


@shared_task(name="linkedin.import_all_senders", acks_late=True)
def import_all_senders_task() -> int:
    """Refresh every connected workspace's senders and campaigns, so lapsed permissions show up on drafts."""
    from .models import ConnectionStatus, LinkedInConnection

    done = 0
    for connection in LinkedInConnection.objects.filter(status=ConnectionStatus.ACTIVE).select_related(
        "workspace"
    ):
        if not connection.workspace.ad_account_urn:
            continue
        try:
            services.senders_import(workspace=connection.workspace)
            services.campaigns_import(workspace=connection.workspace)
            done += 1
        except (services.NotConnected, services.Rejected, Transient):
            continue
    return done
