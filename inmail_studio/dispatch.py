"""Sending a Celery task without ever failing the request (or the worker) that asked: one helper.

Every job with a consequence (a sync, a launch, a test send, an email) is an outbox row
committed *before* its task is sent. The message is only a wake-up call: if the broker
can't be reached, the failure is logged and left to the outbox, whose row says when it is
due (`lease_until`); beat and every worker that starts send again whatever is due. So a
view answers "saved" when the decision is saved, and the `on_commit` callbacks queued
after a failed send still run.

Without a broker (`CELERY_TASK_ALWAYS_EAGER`, the tests) the task runs right here. A task
that asks for a retry then raises `Retry` (in-process Celery can't wait out a countdown)
and a LinkedIn hiccup may surface as `Transient`: both are left to the outbox too. Any
other exception of an in-process task is a bug and is raised, so a test sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from celery import Task
from celery.exceptions import Retry
from django.db import transaction

log = logging.getLogger(__name__)


def dispatch(task: Task, *args: Any, on_failure: Callable[[], None] | None = None) -> bool:
    """Send `task(*args)`: True once the broker has it (or it ran in-process, even if it then asked for
    a retry), False when the broker refused it and the outbox must send it again.

    `on_failure` runs when the broker refused the message, typically to make the outbox row
    due at once so the next beat tick sends it as soon as the broker is back.
    """
    from inmail_studio.linkedin.client import Transient

    eager = bool(task.app.conf.task_always_eager)
    try:
        task.apply_async(args=args)
    except (Transient, Retry) as error:
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


def dispatch_on_commit(task: Task, *args: Any, on_failure: Callable[[], None] | None = None) -> None:
    """`dispatch` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(dispatch, task, *args, on_failure=on_failure))
