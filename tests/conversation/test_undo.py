"""Undo of the last change to the tree (add, delete, relink), by the person who made it, as a new revision."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from inmail_studio.accounts.models import Role, User
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.tree import tree_of
from inmail_studio.ads.models import Ad, Conversation, ConversationButton, ConversationMessage
from tests.conftest import client_for, join, make_user
from tests.conversation.editing import update_button

pytestmark = pytest.mark.django_db


def _tree(ad: Ad) -> dict:  # type: ignore[type-arg]
    return tree_of(Conversation.objects.get(ad=ad))


def test_undo_takes_back_an_added_message(conversation_ad: Ad, author: User) -> None:
    before = _tree(conversation_ad)
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Pricing")
    conversation_ad.refresh_from_db()
    offer = cs.undoable(conversation_ad, author)
    assert offer is not None and offer.words == ["Added message “Pricing”"] and offer.back_to == 1
    result = cs.tree_undo(ad_id=conversation_ad.pk, editor=author, back_to=1)
    assert result.revision is not None and result.revision.number == 3  # history stays whole
    assert _tree(conversation_ad) == before
    # Undoing the undo is a redo.
    conversation_ad.refresh_from_db()
    assert cs.undoable(conversation_ad, author).words == ["Removed message “Pricing”"]  # type: ignore[union-attr]


def test_undo_brings_a_deleted_message_back_with_its_ids_and_the_buttons_that_led_to_it(
    conversation_ad: Ad, author: User
) -> None:
    before = _tree(conversation_ad)
    agenda = ConversationMessage.objects.get(conversation__ad=conversation_ad, name="Agenda")
    inbound = list(agenda.inbound.values_list("pk", flat=True))
    assert inbound
    cs.message_delete(ad_id=conversation_ad.pk, editor=author, message_id=agenda.pk)
    assert not ConversationMessage.objects.filter(pk=agenda.pk).exists()
    cs.tree_undo(ad_id=conversation_ad.pk, editor=author, back_to=1)
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
    cs.tree_undo(ad_id=conversation_ad.pk, editor=author, back_to=1)
    assert _tree(conversation_ad) == before


def test_only_ones_own_last_change_is_undone_and_only_the_one_offered(
    conversation_ad: Ad, author: User
) -> None:
    colleague = join(make_user("colleague"), conversation_ad.workspace, Role.AUTHOR)
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Pricing")
    conversation_ad.refresh_from_db()
    assert cs.undoable(conversation_ad, colleague) is None  # not theirs
    with pytest.raises(ValidationError):
        cs.tree_undo(ad_id=conversation_ad.pk, editor=colleague, back_to=1)
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Second")
    # The page offered to go back to r1; the ad moved on: refused, nothing changed.
    with pytest.raises(ValidationError):
        cs.tree_undo(ad_id=conversation_ad.pk, editor=author, back_to=1)
    assert ConversationMessage.objects.filter(conversation__ad=conversation_ad, name="Second").exists()


def test_the_editor_offers_undo_and_the_button_undoes(
    conversation_ad: Ad, author: User, viewer: User
) -> None:
    cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Pricing")
    page = client_for(author).get(f"/ads/{conversation_ad.pk}/conversation/").content.decode()
    assert "data-undo" in page and "Added message “Pricing”" in page
    # A viewer is refused; the author's undo writes revision 3.
    assert (
        client_for(viewer).post(f"/ads/{conversation_ad.pk}/conversation/undo/", {"back_to": 1}).status_code
        == 403
    )
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/undo/", {"back_to": 1}, follow=True
    )
    assert "Undone: Added message “Pricing”. Saved as revision 3." in response.content.decode()
    assert not ConversationMessage.objects.filter(conversation__ad=conversation_ad, name="Pricing").exists()
