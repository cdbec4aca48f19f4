"""Duplicating a conversation ad (how a live one is changed) copies its whole tree into a new draft."""

from __future__ import annotations

from typing import Any

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.tree import paths, tree_of
from inmail_studio.ads.models import Ad, ButtonAction, Conversation, ConversationButton, Sender, State
from inmail_studio.review import services as review_services
from inmail_studio.review import workflow
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _transcripts(ad: Ad) -> list[tuple[Any, ...]]:
    """Every path as a reader sees it: the sender's texts, the member's choices, how it ends."""
    tree = tree_of(Conversation.objects.get(ad=ad))
    return [(tuple(s.text for s in p.steps), tuple(p.choices), p.ending, p.ending_url) for p in paths(tree)]


def test_a_duplicate_has_the_whole_tree_with_buttons_pointing_inside_the_copy(
    conversation_ad: Ad, author: User
) -> None:
    copy = ad_services.ad_duplicate(ad_id=conversation_ad.pk, author=author)
    assert copy.pk != conversation_ad.pk and copy.kind == "conversation"
    assert copy.name == "Spring event (copy)" and copy.state == State.DRAFT
    assert copy.current_revision is not None and copy.current_revision.number == 1
    original, duplicate = Conversation.objects.get(ad=conversation_ad), Conversation.objects.get(ad=copy)
    assert duplicate.messages.count() == original.messages.count() == 4
    assert ConversationButton.objects.filter(message__conversation=duplicate).count() == 11
    copied_ids = set(duplicate.messages.values_list("pk", flat=True))
    assert duplicate.first_message_id in copied_ids
    assert duplicate.first_message.name == original.first_message.name  # type: ignore[union-attr]
    targets = ConversationButton.objects.filter(message__conversation=duplicate, target__isnull=False)
    assert targets.exists() and all(b.target_id in copied_ids for b in targets)
    assert _transcripts(copy) == _transcripts(conversation_ad)
    assert copy.current_revision.snapshot["tree"] == tree_of(duplicate)


def test_editing_the_duplicate_leaves_the_original_tree_alone(conversation_ad: Ad, author: User) -> None:
    before = _transcripts(conversation_ad)
    copy = ad_services.ad_duplicate(ad_id=conversation_ad.pk, author=author)
    button = ConversationButton.objects.get(message__conversation__ad=copy, text="Tell me more")
    cs.button_update(
        ad_id=copy.pk, editor=author, button_id=button.pk, text="More please", action=ButtonAction.END,
        target_id=None, url="",
    )  # fmt: skip
    assert _transcripts(conversation_ad) == before
    assert _transcripts(copy) != before
    assert conversation_ad.revisions.count() == 1


def test_a_live_conversation_is_duplicated_as_a_new_draft_from_the_review_workflow(
    conversation_ad: Ad, author: User, approver: User, sender: Sender
) -> None:
    cs.conversation_settings_update(
        ad_id=conversation_ad.pk, editor=author,
        fields={"name": conversation_ad.name, "sender": sender, "subject": conversation_ad.subject,
                "footer": "Terms apply."},
        lead_gen=False,
    )  # fmt: skip
    conversation_ad.refresh_from_db()
    review_services.submit(ad_id=conversation_ad.pk, actor=author)
    conversation_ad.refresh_from_db()
    review_services.approve(
        ad_id=conversation_ad.pk,
        approver=approver,
        revision_hash=conversation_ad.current_revision.content_hash,  # type: ignore[union-attr]
    )
    for state in (State.SYNCING, State.SYNCED, State.TESTED, State.LAUNCHING, State.LIVE):
        conversation_ad.refresh_from_db()
        workflow.move(conversation_ad, state, actor=None, revision=conversation_ad.current_revision)  # type: ignore[arg-type]

    client = client_for(author)
    editor = client.get(f"/ads/{conversation_ad.pk}/conversation/").content.decode()
    assert "Duplicate as new draft" in editor
    response = client.post(f"/review/ads/{conversation_ad.pk}/duplicate/", follow=True)
    copy = Ad.objects.exclude(pk=conversation_ad.pk).get()
    assert response.redirect_chain[-1][0] == f"/ads/{copy.pk}/conversation/"
    assert copy.sender_id == sender.pk and copy.footer == "Terms apply." and copy.state == State.DRAFT
    assert _transcripts(copy) == _transcripts(conversation_ad)
    assert review_services.submission_problems(copy) == []
