"""Undo of the last change to the tree (add, delete, relink), by the person who made it.

A structural change writes no revision (the tree's Save writes one for a session's edits), so undo
takes back the change itself from its undo record, also without a revision, and can go further back
one change at a time.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from inmail_studio.accounts.models import Role, User
from inmail_studio.ads.conversation import edits
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.tree import tree_of
from inmail_studio.ads.models import Ad, Conversation, ConversationButton, ConversationMessage
from tests.conftest import client_for, join, make_user
from tests.conversation.editing import update_button

pytestmark = pytest.mark.django_db


def _tree(ad: Ad) -> dict:  # type: ignore[type-arg]
    return tree_of(Conversation.objects.get(ad=ad))


def _offer(ad: Ad, user: User) -> edits.Undoable | None:
    ad.refresh_from_db()
    return edits.undoable(ad, user)


def test_undo_takes_back_an_added_message_without_writing_a_revision(
    conversation_ad: Ad, author: User
) -> None:
    before = _tree(conversation_ad)
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Pricing")
    offer = _offer(conversation_ad, author)
    assert offer is not None and offer.words == ["Added message “Pricing”"]
    result = cs.tree_undo(ad_id=conversation_ad.pk, editor=author, edit=offer.edit)
    assert result.revision is None and conversation_ad.revisions.count() == 1
    assert _tree(conversation_ad) == before
    assert _offer(conversation_ad, author) is None  # nothing left to take back
    assert edits.unsaved_changes(conversation_ad, conversation_ad.conversation) == []


def test_undo_goes_back_one_change_at_a_time(conversation_ad: Ad, author: User) -> None:
    start = _tree(conversation_ad)
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Pricing")
    middle = _tree(conversation_ad)
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Speakers")
    offer = _offer(conversation_ad, author)
    assert offer is not None and offer.words == ["Added message “Speakers”"]
    cs.tree_undo(ad_id=conversation_ad.pk, editor=author, edit=offer.edit)
    assert _tree(conversation_ad) == middle
    offer = _offer(conversation_ad, author)
    assert offer is not None and offer.words == ["Added message “Pricing”"]
    cs.tree_undo(ad_id=conversation_ad.pk, editor=author, edit=offer.edit)
    assert _tree(conversation_ad) == start


def test_undo_brings_a_deleted_message_back_with_its_ids_and_the_buttons_that_led_to_it(
    conversation_ad: Ad, author: User
) -> None:
    before = _tree(conversation_ad)
    agenda = ConversationMessage.objects.get(conversation__ad=conversation_ad, name="Agenda")
    inbound = list(agenda.inbound.values_list("pk", flat=True))
    assert inbound
    cs.message_delete(ad_id=conversation_ad.pk, editor=author, message_id=agenda.pk)
    assert not ConversationMessage.objects.filter(pk=agenda.pk).exists()
    offer = _offer(conversation_ad, author)
    assert offer is not None
    cs.tree_undo(ad_id=conversation_ad.pk, editor=author, edit=offer.edit)
    assert _tree(conversation_ad) == before
    back = ConversationMessage.objects.get(pk=agenda.pk)
    assert sorted(back.inbound.values_list("pk", flat=True)) == sorted(inbound)


def test_undo_takes_back_a_relink(conversation_ad: Ad, author: User) -> None:
    before = _tree(conversation_ad)
    button = ConversationButton.objects.filter(
        message__conversation__ad=conversation_ad, target__isnull=False
    ).first()
    assert button is not None
    other = ConversationMessage.objects.filter(conversation__ad=conversation_ad).exclude(
        pk__in=[button.target_id, button.message_id]
    )[0]
    update_button(ad_id=conversation_ad.pk, editor=author, button_id=button.pk, target_id=other.pk)
    offer = _offer(conversation_ad, author)
    assert offer is not None and offer.words[0].startswith("Relinked")
    cs.tree_undo(ad_id=conversation_ad.pk, editor=author, edit=offer.edit)
    assert _tree(conversation_ad) == before


def test_only_ones_own_last_change_is_undone_and_only_the_one_offered(
    conversation_ad: Ad, author: User
) -> None:
    colleague = join(make_user("colleague"), conversation_ad.workspace, Role.AUTHOR)
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Pricing")
    offered = _offer(conversation_ad, author)
    assert offered is not None
    assert _offer(conversation_ad, colleague) is None  # not theirs
    with pytest.raises(ValidationError):
        cs.tree_undo(ad_id=conversation_ad.pk, editor=colleague, edit=offered.edit)
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Second")
    # The page offered to take back "Pricing"; the tree moved on: refused, nothing changed.
    with pytest.raises(ValidationError):
        cs.tree_undo(ad_id=conversation_ad.pk, editor=author, edit=offered.edit)
    assert ConversationMessage.objects.filter(conversation__ad=conversation_ad, name="Second").exists()
    # Someone else's change since: one's own earlier change is no longer offered.
    cs.message_add(ad_id=conversation_ad.pk, editor=colleague, name="Theirs")
    assert _offer(conversation_ad, author) is None


def test_the_editor_offers_undo_and_the_button_undoes(
    conversation_ad: Ad, author: User, viewer: User
) -> None:
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Pricing")
    page = client_for(author).get(f"/ads/{conversation_ad.pk}/conversation/").content.decode()
    assert "data-undo" in page and "Added message “Pricing”" in page
    offer = _offer(conversation_ad, author)
    assert offer is not None
    assert (
        client_for(viewer)
        .post(f"/ads/{conversation_ad.pk}/conversation/undo/", {"edit": offer.edit})
        .status_code
        == 403
    )
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/undo/", {"edit": offer.edit}, follow=True
    )
    assert "Undone: Added message “Pricing”." in response.content.decode()
    assert not ConversationMessage.objects.filter(conversation__ad=conversation_ad, name="Pricing").exists()
    assert conversation_ad.revisions.count() == 1
