"""Conversation ads synced by a real Celery worker (prefork, Redis broker) against the sandbox over HTTP,
with faults injected on every call: each ends synced with one conversation in use, no duplicate
message and one creative."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, State
from inmail_studio.linkedin.models import LinkedInConnection, SyncAttempt
from inmail_studio.sandbox import models as sandbox

from .conftest import approve_ad, creatives_of
from .conversations import (
    approved_tree,
    content_of,
    in_use,
    linkedin_tree,
    make_conversation_ad,
    reachable_count,
    sandbox_conversation,
    transcripts,
)
from .test_worker import Worker, worker_factory  # noqa: F401 - the fixture, shared with the message-ad batch

pytestmark = pytest.mark.slow  # a real worker: selected with -m slow, and run by make test


def test_a_worker_syncs_a_batch_of_conversation_ads_through_faults_without_duplicates(
    worker_factory: Callable[..., Worker],  # noqa: F811
    connected: LinkedInConnection,
    workspace: Workspace,
    author: User,
    approver: User,
) -> None:
    worker_factory(faults="error_rate=0.1; throttle_rate=0.1; drop_rate=0.05")
    ads = [
        make_conversation_ad(workspace, author, approver, name=f"Conversation {i}", approve=False)
        for i in range(6)
    ]
    for ad in ads:
        approve_ad(ad, author=author, approver=approver)
    deadline = time.monotonic() + 120
    ids = [a.pk for a in ads]
    while Ad.objects.filter(pk__in=ids, state=State.SYNCED).count() < len(ids):
        if time.monotonic() > deadline:
            states = list(SyncAttempt.objects.filter(ad_id__in=ids).values_list("status", "error"))
            raise AssertionError(f"not all synced: {states}")
        time.sleep(0.5)
    for ad in ads:
        tree = approved_tree(ad)
        record = in_use(ad)
        assert sandbox_conversation(record.urn).messages.count() == reachable_count(tree)
        assert transcripts(linkedin_tree(record.urn)) == transcripts(tree)
        content = content_of(ad)
        assert content.data["subContent"]["guidedReplies"]["sponsoredConversation"] == record.urn
        assert len(creatives_of(content.urn)) == 1
    # Messages exist only in the conversations in use; lost conversation creates left empty orphans.
    in_use_urns = {in_use(ad).urn for ad in ads}
    stray = sandbox.ConversationMessage.objects.exclude(
        conversation__in=[sandbox_conversation(u) for u in in_use_urns]
    )
    assert not stray.exists()
    assert SyncAttempt.objects.filter(ad_id__in=ids, tries__gt=1).exists()  # the faults really happened
