"""The Celery app. Without CELERY_BROKER_URL, tasks run in-process (see settings; production refuses that)."""

import logging
import os
from typing import Any

from celery import Celery, signals

from inmail_studio import logs

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
