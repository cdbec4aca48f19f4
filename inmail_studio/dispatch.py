"""Sending a Celery task without ever failing the request (or the worker) that asked: one helper.

Every job with a consequence (a sync, a launch, a test send, an email) is an outbox row
committed *before* its task is sent. The message is only a wake-up call: if the broker
can't be reached, the failure is logged and left to the outbox, whose row says when it is
due (`lease_until`); beat and every worker that starts send again whatever is due. So a
view answers "saved" when the decision is saved, and the `on_commit` callbacks queued
after a failed send still run.

Without a broker (`CELERY_TASK_ALWAYS_EAGER`, the tests) the task runs right here. A task
that asks for a retry then raises `Retry` (in-process Celery can't wait out a countdown)
and a LinkedIn hiccup may surface as `Transient` (a `RetryableError`): both are left to the outbox too. Any
other exception of an in-process task is a bug and is raised, so a test sees it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import Task
from celery.exceptions import Retry
from django.conf import settings

log = logging.getLogger(__name__)

# This process tree's identity: a worker's pool processes are forked from its main process and
# share it, a worker started again under the same node name gets a new one. Leases name it
# (`celery@host/<incarnation>`), so a worker can tell its dead predecessor's leases from its own.
INCARNATION = uuid.uuid4().hex[:12]


class RetryableError(Exception):
    """An error its job's outbox row retries on its own schedule (LinkedIn's `Transient` is one): an
    in-process task that meets it is left to the outbox, not raised to the request."""


def queued_deadline(now: datetime) -> datetime:
    """When a queued job whose message no worker has taken counts as lost, and beat sends it again."""
    return now + timedelta(seconds=settings.OUTBOX_QUEUED_GRACE_SECONDS)


def holder(task: Task) -> str:
    """Who holds a lease: the worker's node name and this process tree's incarnation."""
    return f"{task.request.hostname or 'in-process'}/{INCARNATION}"


def dispatch(task: Task, *args: Any, on_failure: Callable[[], None] | None = None) -> bool:
    """Send `task(*args)`: True once the broker has it (or it ran in-process, even if it then asked for
    a retry), False when the broker refused it and the outbox must send it again.

    `on_failure` runs when the broker refused the message, typically to make the outbox row
    due at once so the next beat tick sends it as soon as the broker is back.
    """
    eager = bool(task.app.conf.task_always_eager)
    try:
        task.apply_async(args=args)
    except (RetryableError, Retry) as error:
        if not eager:  # pragma: no cover - a broker send raises neither
            raise
        log.info("%s%r ran in-process and waits for a retry: %s", task.name, args, error)
        return True
    except Exception as error:
        if eager:
            raise
        # kombu's OperationalError, redis' ConnectionError, OSError…: the broker is down or unreachable.
        log.warning(
            "Could not send %s%r to the broker (%s: %s); the outbox sends it again when the broker is back.",
            task.name,
            args,
            type(error).__name__,
            error,
        )
        if on_failure is not None:
            try:
                on_failure()
            except Exception:
                log.exception("Could not mark %s%r as due after a failed send", task.name, args)
        return False
    return True
