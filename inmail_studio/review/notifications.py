"""Telling people a review needs them or has moved: the bell in the app, and email.

Each email is an outbox row (`OutgoingEmail`) written in the same transaction as the decision
that caused it, then sent by a Celery task after the commit: a rolled-back decision never sends
one, a mail relay that is down or hangs never holds up the request (the task gives up after
EMAIL_TIMEOUT and retries with backoff), and a broker that is down delays the email until beat
sends it again. Every failed try is logged; after the last one the row stays "failed" with the
reason. People who turned email off in their settings only get the bell.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad
from inmail_studio.dispatch import dispatch, queued_deadline
from inmail_studio.single_line import one_line

from .models import EmailStatus, Notification, OutgoingEmail

log = logging.getLogger(__name__)

# Long enough for an SMTP exchange that ends within EMAIL_TIMEOUT; a worker that died holding the
# row lets it go after this.
EMAIL_LEASE_SECONDS = 60


class EmailRetryLater(Exception):
    """The relay failed; the row says when to try again, and the task sends itself again then."""

    def __init__(self, countdown: float) -> None:
        super().__init__(f"retry in {countdown:.0f} s")
        self.countdown = countdown


def notify(*, recipients: Iterable[User], ad: Ad, message: str, url: str, actor: User | None = None) -> int:
    """Ring the bell of each recipient (never the actor) and queue an email to those who want email."""
    people = {user.pk: user for user in recipients if actor is None or user.pk != actor.pk}
    if not people:
        return 0
    bells = Notification.objects.bulk_create(
        Notification(recipient_id=pk, ad=ad, message=message[:300], url=url) for pk in people
    )
    emails_queue(
        OutgoingEmail(
            notification=bell,
            to=user.email,
            subject=f"[InMail Studio] {message}",
            body=render_to_string(
                "review/email/notification.txt",
                {"user": user, "message": message, "link": f"{settings.SITE_URL}{url}", "ad_name": ad.name},
            ),
        )
        for bell, user in zip(bells, people.values(), strict=True)
        if user.email_notifications and user.email
    )
    return len(people)


def email_queue(*, to: str, subject: str, body: str) -> OutgoingEmail:
    """Queue one email in the outbox, in the caller's transaction: it is sent after the commit (never
    when the transaction rolls back), and beat sends it again if the broker was down."""
    return emails_queue([OutgoingEmail(to=to, subject=subject, body=body)])[0]


def emails_queue(emails: Iterable[OutgoingEmail]) -> list[OutgoingEmail]:
    """Queue unsaved outbox rows (see `email_queue`) with one INSERT."""
    now = timezone.now()
    rows = list(emails)
    for email in rows:
        # One line whatever the names in it hold: a line break would make Django refuse the header.
        email.subject = one_line(email.subject)[:200]
        email.lease_until = queued_deadline(now)
    created = OutgoingEmail.objects.bulk_create(rows)
    for email in created:
        transaction.on_commit(partial(_dispatch, email.pk))
    return created


def _dispatch(email_id: int) -> bool:
    from .tasks import send_email_task

    def due_now() -> None:
        OutgoingEmail.objects.filter(pk=email_id).update(lease_until=timezone.now())

    return dispatch(send_email_task, email_id, on_failure=due_now)


def email_send(*, email_id: int, holder: str = "in-process") -> None:
    """Send one queued email. Raises EmailRetryLater when the relay failed and a retry is due later."""
    now = timezone.now()
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status in (EmailStatus.SENT, EmailStatus.FAILED):
            return
        if email.status == EmailStatus.SENDING and email.lease_until and email.lease_until > now:
            return  # another worker is sending it
        if email.retry_at and email.retry_at > now + timedelta(seconds=1):
            return  # an early duplicate; the retry's own message (or beat) sends it when due
        email.tries += 1
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=EmailStatus.SENDING,
            tries=email.tries,
            holder=holder[:200],
            lease_until=now + timedelta(seconds=EMAIL_LEASE_SECONDS),
            retry_at=None,
        )
    try:
        connection = get_connection(timeout=settings.EMAIL_TIMEOUT)
        EmailMessage(subject=email.subject, body=email.body, to=[email.to], connection=connection).send()
    except Exception as error:  # SMTP errors, timeouts, refused connections, a bad address…
        reason = f"{type(error).__name__}: {error}"[:1000]
        if email.tries >= settings.REVIEW_EMAIL_MAX_TRIES:
            log.error(
                "Review email %s to %s failed for good after %d tries: %s",
                email.pk,
                email.to,
                email.tries,
                reason,
            )
            OutgoingEmail.objects.filter(pk=email.pk).update(
                status=EmailStatus.FAILED, error=reason, lease_until=None
            )
            return
        countdown = random.uniform(0.5, 1.0) * min(3600.0, 30.0 * 2 ** (email.tries - 1))  # noqa: S311
        log.warning(
            "Review email %s to %s failed (try %d of %d), retrying in %.0f s: %s",
            email.pk,
            email.to,
            email.tries,
            settings.REVIEW_EMAIL_MAX_TRIES,
            countdown,
            reason,
        )
        retry_at = timezone.now() + timedelta(seconds=countdown)
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=EmailStatus.QUEUED,
            error=reason,
            holder="",
            retry_at=retry_at,
            lease_until=queued_deadline(retry_at),
        )
        raise EmailRetryLater(countdown) from error
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENT, error="", sent_at=timezone.now(), lease_until=None
    )


def emails_requeue(*, worker: str = "") -> int:
    """Send again every email whose deadline passed (beat), or, as a worker starts, every queued one
    and those its dead predecessor was sending."""
    now = timezone.now()
    if worker:
        name = worker.partition("/")[0]
        OutgoingEmail.objects.filter(
            Q(holder__startswith=f"{name}/") & ~Q(holder=worker), status=EmailStatus.SENDING
        ).update(lease_until=now - timedelta(seconds=1))
    # A worker that died while sending: the email is queued again (it may go out twice, never zero times).
    OutgoingEmail.objects.filter(status=EmailStatus.SENDING, lease_until__lt=now).update(
        status=EmailStatus.QUEUED, holder=""
    )
    overdue = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    due = OutgoingEmail.objects.filter(status=EmailStatus.QUEUED).filter(
        overdue | Q(retry_at__isnull=True) if worker else overdue
    )
    sent = 0
    for email_id in list(due.values_list("pk", flat=True)):
        OutgoingEmail.objects.filter(pk=email_id).update(lease_until=queued_deadline(now))
        if not _dispatch(email_id):
            break  # the broker is down (logged); the rest wait for the next tick
        sent += 1
    if sent:
        log.info("Outbox: sent %d review emails again", sent)
    return sent
