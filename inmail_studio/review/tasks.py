"""Review emails: a thin task per outbox row (see `notifications`), and beat's sweep of overdue ones."""

from __future__ import annotations

from celery import Task, shared_task

from inmail_studio.dispatch import holder

from . import notifications


@shared_task(
    bind=True, name="review.send_email", acks_late=True, reject_on_worker_lost=True, max_retries=None
)
def send_email_task(self: Task, email_id: int) -> None:
    try:
        notifications.email_send(email_id=email_id, holder=holder(self))
    except notifications.EmailRetryLater as later:
        raise self.retry(countdown=later.countdown) from None


@shared_task(name="review.requeue_emails", acks_late=True)
def requeue_emails_task() -> int:
    return notifications.emails_requeue()
