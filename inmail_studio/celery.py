"""The Celery app. Without CELERY_BROKER_URL, tasks run in-process (see settings; production refuses that)."""

import logging
import os
from typing import Any

from celery import Celery, signals

from inmail_studio import logs
from inmail_studio.dispatch import INCARNATION

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inmail_studio.settings")

app = Celery("inmail_studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request that queued a task names it in the message; the worker's lines for it carry that id.
signals.before_task_publish.connect(logs.task_publishing, dispatch_uid="inmail_studio.request_id.publish")
signals.task_prerun.connect(logs.task_starting, dispatch_uid="inmail_studio.request_id.start")
signals.task_postrun.connect(logs.task_finished, dispatch_uid="inmail_studio.request_id.finish")


@signals.setup_logging.connect
def _django_logging(loglevel: Any = None, **kwargs: Any) -> None:
    """Workers and beat log through Django's LOGGING (JSON in production, always redacted), not Celery's own
    setup; `--loglevel` still sets the level."""
    import django
    from django.conf import settings

    django.setup()
    logs.configure(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


log = logging.getLogger(__name__)


@signals.worker_ready.connect
def take_back_dead_predecessors_work(sender: Any = None, **kwargs: Any) -> None:
    """When a worker starts, send again what its predecessor of the same name held when it died
    (kill -9, a lost machine) and every queued job, whose message it may have reserved; jobs
    then resume in seconds instead of waiting for leases or Redis' hour-long visibility timeout."""
    from django.db import connections

    worker = f"{getattr(sender, 'hostname', '') or 'celery'}/{INCARNATION}"
    try:
        from inmail_studio.linkedin.services import requeue_stuck
        from inmail_studio.review.notifications import emails_requeue

        requeue_stuck(worker=worker)
        emails_requeue(worker=worker)
    except Exception:  # a worker must start even if the database is not reachable yet; beat retries
        log.exception("Could not take back the outbox's work when %s started", worker)
    finally:
        connections.close_all()  # the main process keeps no connection; its pool processes have their own
