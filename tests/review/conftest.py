"""Helpers for the review tests: walk an ad into any state the way the product does."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.review import services, workflow

# The path from a fresh draft to each state, through the real services and `workflow.move`.
PATHS: dict[State, tuple[str, ...]] = {
    State.DRAFT: (),
    State.IN_REVIEW: ("submit",),
    State.CHANGES_REQUESTED: ("submit", "request_changes"),
    State.APPROVED: ("submit", "approve"),
    State.SYNCING: ("submit", "approve", "syncing"),
    State.SYNC_FAILED: ("submit", "approve", "syncing", "sync_failed"),
    State.SYNCED: ("submit", "approve", "syncing", "synced"),
    State.TESTED: ("submit", "approve", "syncing", "synced", "tested"),
    State.LAUNCHING: ("submit", "approve", "syncing", "synced", "tested", "launching"),
    State.LIVE: ("submit", "approve", "syncing", "synced", "tested", "launching", "live"),
}

SYSTEM_MOVES = {
    "syncing": State.SYNCING,
    "sync_failed": State.SYNC_FAILED,
    "synced": State.SYNCED,
    "tested": State.TESTED,
    "launching": State.LAUNCHING,
    "live": State.LIVE,
}


def walk(ad: Ad, state: State, *, author: User, approver: User) -> Ad:
    for step in PATHS[state]:
        ad.refresh_from_db()
        revision_hash = ad.current_revision.content_hash  # type: ignore[union-attr]
        if step == "submit":
            services.submit(ad_id=ad.pk, actor=author)
        elif step == "approve":
            services.approve(ad_id=ad.pk, approver=approver, revision_hash=revision_hash)
        elif step == "request_changes":
            services.request_changes(
                ad_id=ad.pk, approver=approver, revision_hash=revision_hash, comment="Tighten the subject."
            )
        else:
            workflow.move(ad, SYSTEM_MOVES[step], actor=None, revision=ad.current_revision)  # type: ignore[arg-type]
    ad.refresh_from_db()
    assert ad.state == state
    return ad


@pytest.fixture
def in_state(ad: Ad, author: User, approver: User) -> Callable[[State], Ad]:
    def make(state: State) -> Ad:
        return walk(ad, state, author=author, approver=approver)

    return make
