"""The approval workflow's states and transitions (being built for the approval issue)."""

from __future__ import annotations

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, Revision


def content_changed(ad: Ad, *, actor: User, revision: Revision) -> None:
    """Called by `ads.services` after an edit wrote a new revision."""
