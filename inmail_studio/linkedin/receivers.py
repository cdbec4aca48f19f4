"""What the LinkedIn room does when a room below it announces something (connected in `apps.py`)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad
from inmail_studio.review.signals import approved

from .services import sync_queue


@receiver(approved, dispatch_uid="linkedin.queue_sync")
def queue_sync(
    sender: type, *, ad: Ad, revision_id: int, approver: User | None = None, **kwargs: Any
) -> None:
    """The approved revision goes to LinkedIn; the sync waits if no campaign is chosen yet."""
    sync_queue(ad_id=ad.pk, revision_id=revision_id, on_behalf_of=approver)
