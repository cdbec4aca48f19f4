"""Review email through the outbox: one row per email, sent by a task with a timeout and retries,
never lost, every failure logged. The relays here are real sockets: one that refuses
connections, one that accepts and never answers."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad
from inmail_studio.review import services
from inmail_studio.review.models import EmailStatus, OutgoingEmail
from inmail_studio.review.notifications import email_send, emails_requeue


def _hash(ad: Ad) -> str:
    ad.refresh_from_db()
    return ad.current_revision.content_hash  # type: ignore[union-attr]


@pytest.fixture
def smtp_to(settings: Any) -> Any:
    """Point Django's SMTP backend at a port on this machine."""

    def point(port: int) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port

    return point


@pytest.fixture
def refusing_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: connecting is refused


@pytest.fixture
def hanging_relay() -> Iterator[int]:
    """A relay that accepts the connection and never says a word (no SMTP greeting)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def _submit(ad: Ad, author: User, capture: Any) -> None:
    with capture(execute=True):
        services.submit(ad_id=ad.pk, actor=author)


def test_each_email_is_an_outbox_row_that_the_task_sends_after_the_commit(
    ad: Ad,
    author: User,
    approver: User,
    admin_user: User,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit(ad_id=ad.pk, actor=author)
    rows = list(OutgoingEmail.objects.order_by("to"))
    assert [r.to for r in rows] == ["ada@example.com", "bob@example.com"]
    assert all(r.status == EmailStatus.QUEUED and r.notification is not None for r in rows)
    assert mailoutbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.com", "bob@example.com"]
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_a_relay_that_refuses_delays_the_email_logs_why_and_keeps_it_for_a_retry(
    ad: Ad,
    author: User,
    approver: User,
    smtp_to: Any,
    refusing_port: int,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    smtp_to(refusing_port)
    with caplog.at_level(logging.WARNING, logger="inmail_studio.review.notifications"):
        _submit(ad, author, django_capture_on_commit_callbacks)
    email = OutgoingEmail.objects.get(to=approver.email)
    assert email.status == EmailStatus.QUEUED and email.tries == 1
    assert "ConnectionRefusedError" in email.error
    assert email.retry_at is not None and email.lease_until > email.retry_at  # type: ignore[operator]
    assert f"Review email {email.pk} to {approver.email} failed (try 1 of 8)" in caplog.text


def test_a_relay_that_hangs_is_given_up_on_after_email_timeout_and_the_decision_stands(
    ad: Ad,
    author: User,
    approver: User,
    settings: Any,
    smtp_to: Any,
    hanging_relay: int,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_TIMEOUT = 1
    smtp_to(hanging_relay)
    _submit(ad, author, django_capture_on_commit_callbacks)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(ad_id=ad.pk, approver=approver, revision_hash=_hash(ad))
    # In production the task runs in a worker; here in-process, so the wait is visible: one timeout.
    assert time.monotonic() - started < 4
    ad.refresh_from_db()
    assert ad.state == "approved"
    email = OutgoingEmail.objects.get(to=author.email)
    assert email.status == EmailStatus.QUEUED and "timed out" in email.error


def test_the_last_failed_try_is_logged_as_an_error_and_the_email_kept_as_failed(
    ad: Ad,
    author: User,
    approver: User,
    settings: Any,
    smtp_to: Any,
    refusing_port: int,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.REVIEW_EMAIL_MAX_TRIES = 2
    smtp_to(refusing_port)
    _submit(ad, author, django_capture_on_commit_callbacks)
    email = OutgoingEmail.objects.get(to=approver.email)
    OutgoingEmail.objects.filter(pk=email.pk).update(retry_at=timezone.now())
    with caplog.at_level(logging.ERROR, logger="inmail_studio.review.notifications"):
        email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED and email.tries == 2
    assert f"Review email {email.pk} to {approver.email} failed for good after 2 tries" in caplog.text


def test_beat_sends_an_overdue_email_again_once_the_relay_is_back(
    ad: Ad,
    author: User,
    approver: User,
    settings: Any,
    smtp_to: Any,
    refusing_port: int,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    smtp_to(refusing_port)
    _submit(ad, author, django_capture_on_commit_callbacks)
    assert emails_requeue() == 0  # not due yet: its retry is scheduled
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    past = timezone.now() - timedelta(seconds=1)
    OutgoingEmail.objects.update(retry_at=past, lease_until=past)
    assert emails_requeue() == 1
    assert [m.to for m in mailoutbox] == [[approver.email]]
    assert emails_requeue() == 0
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_an_email_another_worker_is_sending_is_not_sent_twice(
    ad: Ad, author: User, approver: User, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        services.submit(ad_id=ad.pk, actor=author)
    email = OutgoingEmail.objects.get(to=approver.email)
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENDING, holder="celery@box/1", lease_until=timezone.now() + timedelta(minutes=1)
    )
    email_send(email_id=email.pk)
    assert mailoutbox == []
    # That worker dies; the next one to start under its name takes the email back and sends it.
    emails_requeue(worker="celery@box/2")
    assert [m.to for m in mailoutbox] == [[approver.email]]
