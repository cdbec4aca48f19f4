"""Conversation ads ready to sync against the sandbox, and ways to compare what LinkedIn holds with the tree."""

from __future__ import annotations

from typing import Any

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.tree import Tree, paths, plain_text
from inmail_studio.ads.models import Ad, Sender
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    ConversationStatus,
    LinkedInConversation,
    SyncAttempt,
)
from inmail_studio.linkedin.payloads.conversation_messages import message_payloads
from inmail_studio.sandbox import inbox
from inmail_studio.sandbox import models as sandbox

from .conftest import approve_ad, run_when_due

PILOT = "Conversation pilot"  # the sandbox's SPONSORED_MESSAGE campaign
DANA = "urn:li:person:dana-whitfield"


def pilot_campaign(workspace: Workspace) -> str:
    return str(workspace.linkedin_campaigns.get(name=PILOT).urn)


def make_conversation_ad(
    workspace: Workspace,
    author: User,
    approver: User,
    *,
    name: str = "Spring event",
    template: str = "event-invitation",
    campaign: str | None = None,
    approve: bool = True,
) -> Ad:
    """A conversation ad from a template, sent by Dana (approved in the sandbox), in the pilot campaign."""
    ad = cs.conversation_create(workspace=workspace, author=author, name=name, template_key=template)
    sender = Sender.objects.get(workspace=workspace, urn=DANA)
    cs.conversation_settings_update(
        ad_id=ad.pk,
        editor=author,
        fields={"name": name, "sender": sender, "subject": ad.subject, "footer": ""},
        lead_gen=False,
    )
    AdLinkedIn.objects.create(ad=ad, campaign_urn=pilot_campaign(workspace) if campaign is None else campaign)
    if approve:
        approve_ad(ad, author=author, approver=approver)
    ad.refresh_from_db()
    return ad


def run_to_the_end(attempt: SyncAttempt, *, tries: int = 20) -> None:
    """What the task's retries do, without waiting out their countdowns (in-process Celery doesn't)."""
    for _ in range(tries):
        run_when_due(attempt.pk)
        attempt.refresh_from_db()
        if attempt.status not in ("queued", "inflight", "awaiting_retry"):
            return
    raise AssertionError(f"the attempt never finished: {attempt.status} {attempt.error}")


def approved_tree(ad: Ad) -> dict[str, Any]:
    ad.refresh_from_db()
    from inmail_studio.review.selectors import approved_revision_for

    revision = approved_revision_for(ad)
    assert revision is not None
    return dict(revision.snapshot["tree"])


def in_use(ad: Ad) -> LinkedInConversation:
    return LinkedInConversation.objects.get(ad=ad, status=ConversationStatus.READY)


def sandbox_conversation(urn: str) -> sandbox.Conversation:
    return sandbox.Conversation.objects.get(pk=int(urn.rsplit(":", 1)[-1]))


def content_of(ad: Ad) -> sandbox.InMailContent:
    link = AdLinkedIn.objects.get(ad=ad)
    return sandbox.InMailContent.objects.get(pk=int(link.content_urn.rsplit(":", 1)[-1]))


def transcripts(tree: Tree) -> list[tuple[tuple[str, ...], tuple[str, ...], str]]:
    """Every path as a member reads it: the choices, the sender's messages, and how it ends."""
    return sorted(
        (
            tuple(path.choices),
            tuple(plain_text(step.message.get("body") or "") for step in path.steps),
            path.ending,
        )
        for path in paths(tree)
    )


def linkedin_tree(conversation_urn: str) -> dict[str, Any]:
    """The conversation LinkedIn holds, read back as a tree (the sandbox inbox's own reading)."""
    data = {"subContent": {"guidedReplies": {"sponsoredConversation": conversation_urn}}}
    return inbox.conversation_of(data)


def reachable_count(tree: Tree) -> int:
    return len(message_payloads(tree))
