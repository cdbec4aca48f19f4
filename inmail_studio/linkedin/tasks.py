"""Thin Celery tasks: load by id, call a service. Late acknowledgement; retries the outbox row decides.

Each job is an outbox row (a SyncAttempt for syncs and launches, a TestSend) that stores its
own tries and retry deadline. On a transient error the service writes when the row retries
and raises `RetryLater`; the task sends itself again with that countdown. Should that message
be lost (its worker killed, the broker restarted), beat sends the row again once its deadline
has passed; a worker that starts takes back the leases its dead predecessor held. A Rejected
error ends the row at once inside the service; the last retry fails it, so the ad shows why
and a Retry button. Anything unexpected fails the row through `on_failure`.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from . import services


def holder(task: Task) -> str:
    """Who holds a lease: the worker's node name and this process tree's incarnation (see celery.py)."""
    from inmail_studio.celery import INCARNATION

    return f"{task.request.hostname or 'in-process'}/{INCARNATION}"


class SyncTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        attempt_id = args[0] if args else kwargs.get("attempt_id")
        if attempt_id is not None:
            services.sync_give_up(attempt_id=attempt_id, error=f"{type(exc).__name__}: {exc}")


class TestSendTask(Task):
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        test_send_id = args[0] if args else kwargs.get("test_send_id")
        if test_send_id is not None:
            services.test_send_give_up(test_send_id=test_send_id, error=f"{type(exc).__name__}: {exc}")


JOB = {"acks_late": True, "reject_on_worker_lost": True, "max_retries": None}


@shared_task(bind=True, name="linkedin.sync_attempt", base=SyncTask, **JOB)
def sync_attempt_task(self: Task, attempt_id: int) -> None:
    """A sync or a launch (the attempt's kind says which)."""
    try:
        services.sync_run(attempt_id=attempt_id, holder=holder(self))
    except services.RetryLater as later:
        raise self.retry(countdown=later.countdown, exc=later.error) from None


@shared_task(bind=True, name="linkedin.test_send", base=TestSendTask, **JOB)
def test_send_task(self: Task, test_send_id: int) -> None:
    try:
        services.test_send_run(test_send_id=test_send_id, holder=holder(self))
    except services.RetryLater as later:
        raise self.retry(countdown=later.countdown, exc=later.error) from None


@shared_task(name="linkedin.refresh_tokens", acks_late=True)
def refresh_tokens_task() -> int:
    return services.tokens_refresh_due()


@shared_task(name="linkedin.requeue_stuck", acks_late=True)
def requeue_stuck_task() -> int:
    return services.requeue_stuck()


@shared_task(name="linkedin.import_all_senders", acks_late=True)
def import_all_senders_task() -> int:
    """Refresh every connected workspace's senders and campaigns, so lapsed permissions show up on drafts."""
    from .client import Rejected, Transient
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
        except (services.NotConnected, Rejected, Transient):
            continue
    return done
