"""Reads that combine rooms for the studio's pages."""

from __future__ import annotations

from django.db.models import QuerySet

from inmail_studio.accounts.models import User
from inmail_studio.guidance.selectors import SCORE_RELATED
from inmail_studio.review import selectors as review_selectors
from inmail_studio.review.models import Review


def review_queue(user: User, *, workspace_id: int) -> QuerySet[Review]:
    """The review room's queue, with what `scores_for` reads (each ad's current revision's snapshot,
    plan, sender and the workspace's threshold), so the score column costs no query of its own."""
    return review_selectors.review_queue(user, workspace_id=workspace_id).select_related(
        *(f"ad__{name}" for name in SCORE_RELATED)
    )
