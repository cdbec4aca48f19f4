"""What the review room does when a room below it announces something (connected in `apps.py`)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, Revision
from inmail_studio.ads.signals import content_changed

from . import workflow


@receiver(content_changed, dispatch_uid="review.void_stale_approval")
def void_stale_approval(sender: type, *, ad: Ad, editor: User, revision: Revision, **kwargs: Any) -> None:
    """An edit after approval (or after changes were requested) sends the ad back to draft."""
    workflow.content_changed(ad, actor=editor, revision=revision)
